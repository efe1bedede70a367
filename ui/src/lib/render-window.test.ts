import { describe, expect, it } from 'vitest';
import { MAX_RENDERED, RenderWindow, STEP } from './render-window.svelte';

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));

describe('RenderWindow', () => {
  it('grows with pages appended at the end, but never past its size', () => {
    let list = items(40);
    const slice = new RenderWindow(() => list);
    slice.follow(list.length, 0);
    expect([slice.start, slice.end]).toEqual([0, 40]);
    list = items(1000);
    slice.follow(list.length, 0);
    expect([slice.start, slice.end]).toEqual([1000 - MAX_RENDERED, 1000]);
    // Unmeasured items count at an estimated height.
    expect(slice.spaceBefore()).toBe((1000 - MAX_RENDERED) * 110);
    expect(slice.spaceAfter()).toBe(0);
  });

  it('moves to an item outside it, and towards the viewport while scrolling', () => {
    const list = items(1000);
    const slice = new RenderWindow(() => list);
    slice.follow(list.length, 0);
    slice.around(10);
    expect(slice.start).toBe(0);
    expect(slice.end).toBe(MAX_RENDERED);

    // The reader has scrolled to where the slice ends: it moves down.
    const near = { top: -20_000, bottom: 600 + slice.spaceAfter() } as DOMRect;
    expect(slice.followScroll(near, 800)).toBe(true);
    expect(slice.end).toBe(MAX_RENDERED + STEP);
    expect(slice.end - slice.start).toBe(MAX_RENDERED);

    // Far from both edges: it stays.
    const middle = { top: -slice.spaceBefore() - 10_000, bottom: slice.spaceAfter() + 10_000 } as DOMRect;
    expect(slice.followScroll(middle, 800)).toBe(false);
  });

  it('keeps its place when the whole list is replaced', () => {
    let list = items(500);
    const slice = new RenderWindow(() => list);
    slice.follow(500, 0);
    slice.around(400);
    const before = slice.start;
    list = items(500);
    slice.follow(500, 1);
    expect(slice.start).toBe(before);
    list = items(100);
    slice.follow(100, 2);
    expect([slice.start, slice.end]).toEqual([0, 100]);
  });
});

describe('RenderWindow stand-in space', () => {
  it('counts measured heights, and keeps them through appended pages and reorders', () => {
    let list = items(300);
    const slice = new RenderWindow(() => list);
    slice.follow(300, 0);
    slice.around(200);
    const start = slice.start;
    expect(slice.spaceBefore()).toBe(start * 110);
    slice.measured('c0', 50);
    slice.measured('c1', 200);
    expect(slice.spaceBefore()).toBe((start - 2) * 110 + 250);

    // A page appended: the same objects first, then new ones.
    list = list.concat(items(400).slice(300));
    expect(slice.spaceAfter()).toBe((400 - slice.end) * 110);
    expect(slice.spaceBefore()).toBe((start - 2) * 110 + 250);

    // A comment posted at the top: everything moves down one place, and
    // the heights go with their items.
    list = [{ id: 'new' }, ...list];
    expect(slice.spaceBefore()).toBe((start - 2) * 110 + 250);
    slice.measured('new', 30);
    expect(slice.spaceBefore()).toBe((start - 3) * 110 + 250 + 30);

    // Reordered: c1 is last now, below the slice.
    list = [...list.filter((c) => c.id !== 'c1'), { id: 'c1' }];
    expect(slice.spaceAfter()).toBe((list.length - slice.end - 1) * 110 + 200);
  });

  it('forgets nothing when an item it measured is gone', () => {
    let list = items(10);
    const slice = new RenderWindow(() => list);
    slice.follow(10, 0);
    slice.measured('c9', 500);
    list = list.slice(0, 9);
    slice.measured('c9', 700);
    expect(slice.spaceAfter()).toBe(0);
    expect(slice.spaceBefore()).toBe(0);
  });
});
