// A readable device name from a User-Agent ("Firefox on Android"), for the list of active sign-ins.
import { tr, type Translatable } from '../../i18n/text.ts';

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/SamsungBrowser/, 'Samsung Internet'], [/Firefox\//, 'Firefox'],
  [/Chrome\/|CriOS/, 'Chrome'], [/Safari\//, 'Safari'], [/curl\//, 'curl'], [/python|httpx|requests/i, 'account:device.python'],
  [/node|undici|axios/i, 'account:device.node'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
];

/** Languages (issue 17): a Text to translate; browser and system names are names (only the scripts are words). */
export function describeDevice(userAgent: string | null): Translatable {
  if (!userAgent) return tr('account:device.unknown');
  const found = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const browser = found?.startsWith('account:') ? tr(found) : found;
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return tr('account:device.on', { browser, system });
  return browser ?? system ?? userAgent.slice(0, 60);
}
