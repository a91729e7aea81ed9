// The image downloads' worker thread, which the build starts (src/images/downloader.ts):
// built JavaScript when current, else the sources (load.js).
import { load } from './load.js';

await load('images/download-thread');
