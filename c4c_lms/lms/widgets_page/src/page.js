// The course's Voilà pages in the browser: the cells arrive as HTML from the server; this script
// connects to the kernel Voilà started (or preheated) for the page and turns each widget
// placeholder into a live widget, from the widgets' states the server recorded into the page
// (else from the kernel's answer). JupyterLab's application shell is not loaded at all.
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import '@jupyter-widgets/controls/css/widgets.css';
import './page.css';
import { message } from './messages.js';
import { createManager, showViews } from './widgets.js';

const CONTROL_TARGET = 'jupyter.widget.control'; // ipywidgets' "all states at once" channel
const STATES_TIMEOUT_MS = 30000;
const MATH = /\$[^$\s]|\\\(|\\\[/; // TeX in a page's text: only then is MathJax loaded

function config() {
  return JSON.parse(document.getElementById('jupyter-config-data').textContent);
}

// Every widget's state, by id, as ipywidgets' kernel side sends it on the control channel.
function requestStates(kernel) {
  return new Promise((resolve, reject) => {
    const comm = kernel.createComm(CONTROL_TARGET);
    let answered = false;
    comm.onMsg = (msg) => {
      const data = msg.content.data;
      if (data.method !== 'update_states') return;
      answered = true;
      resolve({ states: data.states, bufferPaths: data.buffer_paths || [], buffers: msg.buffers || [] });
      comm.close();
    };
    comm.onClose = () => answered || reject(new Error('the kernel closed the widgets channel'));
    comm.open({}, { version: '1.0.0' });
    comm.send({ method: 'request_states' }, {});
    setTimeout(() => answered || reject(new Error('the kernel did not send the widgets')), STATES_TIMEOUT_MS);
  });
}

function showProblem(code) {
  const box = document.createElement('div');
  box.className = 'c4c-page-problem';
  box.setAttribute('role', 'alert');
  box.textContent = message(code);
  document.querySelector('main').prepend(box);
}

function loadMathJaxIfNeeded(url) {
  const text = Array.from(document.querySelectorAll('.jp-MarkdownCell, .jp-RenderedMarkdown'))
    .map((e) => e.textContent).join('\n');
  if (!url || !MATH.test(text)) return;
  const script = document.createElement('script');
  script.src = `${url.split('?')[0]}?config=TeX-AMS_HTML-full`;
  script.async = true;
  document.head.append(script);
}

// Font Awesome (the icons on some buttons) is 60 KB of style rules: added once the widgets are
// on the page, its parsing does not hold them up (the icons follow a moment later).
function loadIcons(folder) {
  for (const name of ['all.min.css', 'v4-shims.min.css']) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = folder + name;
    document.head.append(link);
  }
}

// The widgets' states as the server recorded them while it ran the notebook (nbclient's record,
// which our Voilà writes into the page): with them the widgets are shown at once, before the
// kernel's connection is even open. Buffers (an image's bytes) come base64-encoded.
function embeddedStates() {
  const tag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  if (!tag) return null;
  const { state } = JSON.parse(tag.textContent);
  const bufferPaths = [];
  const buffers = [];
  for (const [id, entry] of Object.entries(state)) {
    for (const { path, data } of entry.buffers || []) {
      bufferPaths.push([id, 'state', ...path]);
      buffers.push(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)).buffer);
    }
    delete entry.buffers;
  }
  return { states: state, bufferPaths, buffers };
}

async function main() {
  const settings = config();
  const serverSettings = ServerConnection.makeSettings({ baseUrl: settings.baseUrl });
  const kernel = new KernelConnection({
    model: { id: settings.kernelId, name: '' },
    serverSettings,
    handleComms: true,
  });
  const recorded = embeddedStates();
  // Without a record, asked at once (the request waits in the connection's queue until the
  // socket is open); with one, once the widgets are shown: the answer (100-200 KB) would
  // otherwise be read while they are being built.
  let live = recorded ? null : requestStates(kernel);
  let manager, failed;
  try {
    manager = createManager(kernel);
    performance.mark('c4c-script-started');
    failed = await manager.applyStates(recorded || await live);
    performance.mark('c4c-models-made');
  } catch (error) {
    console.error(error);
    showProblem('no-kernel');
    return;
  }
  failed += await showViews(manager, document);
  if (failed > 0) showProblem('some-widgets-failed');
  document.body.dataset.c4cWidgets = failed > 0 ? 'partial' : 'shown';
  performance.mark('c4c-widgets-shown'); // tests/bench/bench_apps.py reads it
  // the rest waits until the browser has painted the widgets once
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  loadIcons(settings.c4cFontAwesomeUrl);
  if (recorded) {
    // what the kernel changed after the record was made (a visitor's own edits are kept)
    try {
      live = requestStates(kernel);
      await manager.applyStates(await live, recorded);
    } catch (error) {
      console.error(error);
      showProblem('no-kernel');
      return;
    }
  }
  document.body.dataset.c4cWidgets = failed > 0 ? 'partial' : 'ready';
  loadMathJaxIfNeeded(settings.c4cMathjaxUrl);
}

main();
