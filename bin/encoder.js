// The image encoder's process, which the build starts (src/images/encoder.ts):
// built JavaScript when current, else the sources (load.js).
import { load } from './load.js';

await load('images/encode-process');
