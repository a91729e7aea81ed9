/**
 * The built-in catalogs, one file per language. English defines the keys;
 * the others are typed `Catalog`, so a missing or extra key does not compile.
 */
import type { Message } from '../message.ts';
import { en } from './en.ts';
import { ja } from './ja.ts';
import { ko } from './ko.ts';
import { zhCN } from './zh-CN.ts';
import { zhTW } from './zh-TW.ts';

export type StringKey = keyof typeof en;
export type Catalog = { readonly [K in StringKey]: Message };

export const CATALOGS = { en, 'zh-CN': zhCN, 'zh-TW': zhTW, ja, ko } as const satisfies Record<string, Catalog>;
export type CatalogName = keyof typeof CATALOGS;

/** Every key, in the English catalog's order. */
export const STRING_KEYS = Object.keys(en) as StringKey[];
