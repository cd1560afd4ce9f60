// The screens draw on the HAL's framebuffer: it is the frame the display shows (issue #14 item 1).
export { Bitmap } from '../../hal/bitmap.js';
