// What a long list needs, shared by the discussion and the library: only a
// slice of it in the page (RenderWindow), kept in step with the data and
// the scroll position, and the next page fetched while the end is within
// reach. Call `longList` while a component initialises: it sets up effects
// that end with the component.
import { tick, untrack } from 'svelte';
import { RenderWindow } from './render-window.svelte';

interface Source {
  /** The items loaded so far. */
  items: () => readonly { id: string }[];
  /** Changes when the items are replaced rather than extended. */
  generation: () => number;
  hasMore: () => boolean;
  failed: () => boolean;
  /** Loads and appends the next page. */
  loadMore: () => Promise<void>;
  /** The list element and the element just after it. */
  list: () => HTMLElement | undefined;
  sentinel: () => HTMLElement | undefined;
  /** Called with when each page started, once it is on screen. */
  onPageShown?: (started: number) => void;
}

export interface LongList {
  slice: RenderWindow;
  /** For `<svelte:window onscroll>`: moves the slice along. */
  onScroll: () => void;
}

export function longList(source: Source): LongList {
  const slice = new RenderWindow(source.items);
  $effect(() => () => slice.destroy());

  // The stand-in space above and below the slice.
  $effect(() => {
    const list = source.list();
    if (!list) return;
    list.style.paddingTop = `${slice.spaceBefore()}px`;
    list.style.paddingBottom = `${slice.spaceAfter()}px`;
  });

  $effect(() => {
    const total = source.items().length;
    const generation = source.generation();
    untrack(() => slice.follow(total, generation));
  });

  // Looks again on the next frame while the slice is still catching up
  // with a long jump (Home, End, dragging the scroll bar).
  let scrollQueued = false;
  function onScroll() {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      const list = source.list();
      if (list && slice.followScroll(list.getBoundingClientRect(), window.innerHeight)) onScroll();
    });
  }

  // The observer only reports changes, so keep loading while the end stays
  // in reach (a fast scroll can outrun one page).
  let endInReach = false;
  let filling = false;
  async function fillToEnd() {
    if (filling) return;
    filling = true;
    try {
      while (endInReach && source.hasMore() && !source.failed()) {
        const started = performance.now();
        await source.loadMore();
        await tick();
        source.onPageShown?.(started);
        // Let layout and the observer catch up before deciding again.
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    } finally {
      filling = false;
    }
  }
  $effect(() => {
    const sentinel = source.sentinel();
    if (!sentinel || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        endInReach = entries.some((e) => e.isIntersecting);
        if (endInReach) void fillToEnd();
      },
      { rootMargin: '1200px 0px' },
    );
    observer.observe(sentinel);
    return () => {
      endInReach = false;
      observer.disconnect();
    };
  });

  return { slice, onScroll };
}
