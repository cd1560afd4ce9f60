/**
 * What adapts got to a long-running process with little memory when it is bundled (issue #18,
 * scripts/bundle-cli.mjs): two things it does at load that a paired idle daemon never needs.
 */
import { readFileSync } from 'node:fs';

/**
 * got imports http2-wrapper at its top level, and with it node:http2 (about 1.7 MB of a process), though
 * it only uses it with `http2: true`, which we never set (src/oauth/http.ts). Within the bundle got gets
 * http2-wrapper through this stand-in, which loads the real one on first use of either export got reads.
 */
export const lazyHttp2Wrapper = {
  name: 'lazy-http2-wrapper',
  setup(b) {
    b.onResolve({ filter: /^http2-wrapper$/ }, (args) =>
      args.namespace === 'lazy' ? undefined : { path: 'http2-wrapper', namespace: 'lazy', pluginData: args.resolveDir },
    );
    b.onLoad({ filter: /^http2-wrapper$/, namespace: 'lazy' }, (args) => ({
      resolveDir: args.pluginData,
      contents: `let real;
const load = () => (real ??= require('http2-wrapper'));
export default { get auto() { return load().auto; }, get globalAgent() { return load().globalAgent; } };`,
    }));
  },
};

/**
 * @sindresorhus/is (got's type checks) builds two Intl.ListFormat('en') at load, for the wording of a
 * failed assertion. Building one maps some 4.5 MB of ICU locale data into the process: a third of what a
 * paired idle daemon held above bare node. Here they are built when a message is first worded.
 * The build fails when the source no longer reads as expected, so an upgrade cannot silently undo this.
 */
export const lazyListFormat = {
  name: 'lazy-list-format',
  setup(b) {
    b.onLoad({ filter: /[\\/]@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      let found = 0;
      const contents = readFileSync(args.path, 'utf8').replace(
        /const (\w+) = new Intl\.ListFormat\(([^;]*)\);/g,
        (_, name, options) => {
          found++;
          return `let ${name}Instance; const ${name} = { format: (list) => (${name}Instance ??= new Intl.ListFormat(${options})).format(list) };`;
        },
      );
      if (found !== 2) throw new Error(`${args.path}: expected 2 Intl.ListFormat at load, found ${found}: update scripts/bundle-vendor-plugins.mjs`);
      return { contents, loader: 'js' };
    });
  },
};
