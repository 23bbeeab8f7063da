// Moves in the browser the end-to-end specs share (Playwright pages of `taktboard serve`).
import { expect, type Page } from '@playwright/test';

/** Scrolls the element to just under whatever stays on top of the page (the sticky header and its banners). */
export async function scrollUnderHeader(page: Page, testId: string): Promise<void> {
  await page.evaluate((id) => {
    const covering = [...document.querySelectorAll('body *')].filter((el) => ['sticky', 'fixed'].includes(getComputedStyle(el).position) && el.getBoundingClientRect().top <= 1);
    const header = Math.max(0, ...covering.map((el) => el.getBoundingClientRect().bottom));
    const top = document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect().top;
    window.scrollTo(0, window.scrollY + top - header - 12);
  }, testId);
}

/** Switches the UI language with the header's switch (if it is not that language already). */
export async function switchTo(page: Page, lang: 'en' | 'zh-CN'): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) !== lang) await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}
