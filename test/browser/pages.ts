// Every page the browser suite visits. A feature that adds a page adds one line here, and the page is then
// rendered with JavaScript on and off, checked by axe in both themes, checked for sideways overflow on the phone,
// and screenshotted (desktop and phone) without any other change.
export type PageSpec = {
  /** Short name: test titles and docs/screenshots/<name>-desktop.png. */
  name: string;
  path: string;
  signedIn: boolean;
  /** The page's <h1>, proving the right page rendered. */
  heading: string | RegExp;
  /** The status the page answers with (a 404 page is still a page to check). */
  status?: number;
  /** Save screenshots of it. */
  screenshot?: boolean;
};

export const PAGES: PageSpec[] = [
  { name: 'sign-in', path: '/login', signedIn: false, heading: 'Sign in', screenshot: true },
  { name: 'home', path: '/', signedIn: true, heading: 'New chat', screenshot: true },
  { name: 'not-found', path: '/no-such-page', signedIn: false, heading: /not found/i, status: 404 },
  { name: 'not-found-signed-in', path: '/no-such-page', signedIn: true, heading: /not found/i, status: 404 },
];
