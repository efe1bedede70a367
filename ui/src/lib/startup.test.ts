import { describe, expect, it, vi } from 'vitest';
import { afterFirstPaint, uiAttached } from './startup';

const nextFrame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));

describe('afterFirstPaint', () => {
  it('waits until the UI is in the document and a frame has passed, then runs every task once', async () => {
    const early = vi.fn();
    afterFirstPaint(early);
    await nextFrame();
    await nextFrame();
    expect(early).not.toHaveBeenCalled();

    uiAttached();
    expect(early).not.toHaveBeenCalled();
    await nextFrame();
    await Promise.resolve();
    expect(early).toHaveBeenCalledTimes(1);

    // A view mounted later (the library opened again) runs its task at once.
    const late = vi.fn();
    afterFirstPaint(late);
    await Promise.resolve();
    expect(late).toHaveBeenCalledTimes(1);
    expect(early).toHaveBeenCalledTimes(1);
  });
});
