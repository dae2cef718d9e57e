// Bundles the page script (src/page.js) and its stylesheet with esbuild into the course
// template's static/page/ folder: `npm run build` (run by `make install`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

// @jupyterlab/services' kernel connection takes two names from the package's index, and the
// index would bring the rest of JupyterLab's services along (contents, sessions, terminals,
// settings, workspaces): about a fifth of the page's script, compiled and run on every visit.
const kernelConnectionOnly = {
  name: 'kernel-connection-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.$/ }, (args) => {
      if (args.importer.endsWith(path.join('@jupyterlab', 'services', 'lib', 'kernel', 'default.js'))) {
        return { path: path.join(here, 'src', 'services-index.js') };
      }
      return undefined;
    });
  },
};

await esbuild.build({
  entryPoints: [path.join(here, 'src', 'page.js')],
  outdir: path.join(here, '..', 'jupyter', 'voila', 'templates', 'c4c', 'static', 'page'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  assetNames: '[name]-[hash]',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  // ipywidgets' base-manager imports sanitize-html for one method our manager replaces
  alias: { 'sanitize-html': path.join(here, 'src', 'no-sanitize-html.js') },
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  // V8 compiles every function of the file while it streams in, on a background thread,
  // instead of one by one on the page's thread when the widgets first call them
  banner: { js: '//# allFunctionsCalledOnLoad' },
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
  plugins: [kernelConnectionOnly],
}).then((result) => {
  if (result.metafile) console.log(esbuild.analyzeMetafileSync(result.metafile));
});
