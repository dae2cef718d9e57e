// The widget manager of the course's pages: ipywidgets' own ManagerBase, talking to the page's
// kernel through @jupyterlab/services, with the built-in widget libraries only (base and
// controls; the course's apps and modules use nothing else).
import * as base from '@jupyter-widgets/base';
import * as controls from '@jupyter-widgets/controls';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import { removeMath, replaceMath } from '@jupyter-widgets/base-manager/lib/latex';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import DOMPurify from 'dompurify';

const LIBRARIES = { '@jupyter-widgets/base': base, '@jupyter-widgets/controls': controls };
const VIEW_MIMETYPE = 'application/vnd.jupyter.widget-view+json';
// What a widget's description may keep when it allows HTML (ipywidgets' own list).
const DESCRIPTION_HTML = {
  ALLOWED_TAGS: ['a', 'abbr', 'b', 'code', 'em', 'i', 'img', 'li', 'ol', 'span', 'strong', 'ul'],
  ALLOWED_ATTR: ['class', 'style', 'title', 'href', 'src'],
  ALLOW_ARIA_ATTR: true,
  ALLOW_DATA_ATTR: false,
};

export class KernelWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    this.views = new Set();
    // widgets the kernel creates later (after a click, say) arrive as comm_open messages
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), msg));
    window.addEventListener('resize', () => {
      for (const view of this.views) MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize);
    });
  }

  async loadClass(className, moduleName, moduleVersion) {
    const library = LIBRARIES[moduleName];
    if (!library || !library[className]) {
      throw new Error(`${moduleName}@${moduleVersion} ${className} is not available on this page`);
    }
    return library[className];
  }

  async _create_comm(target, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }

  inline_sanitize(source) {
    const parts = removeMath(source);
    return replaceMath(DOMPurify.sanitize(parts.text, DESCRIPTION_HTML), parts.math);
  }

  async display_view(view, element) {
    Widget.attach(view.luminoWidget, element);
    this.views.add(view);
    view.once('remove', () => this.views.delete(view));
  }

  // States (as the control channel sends them: by id, buffers apart) become models, each
  // with its comm, as ManagerBase._loadFromKernel would make them. A model that exists already
  // takes the fields whose value differs from ``since`` (states applied before: a field the
  // kernel did not change since then keeps what the visitor may have typed meanwhile).
  async applyStates({ states, bufferPaths, buffers }, since = null) {
    const byWidget = {};
    bufferPaths.forEach(([widgetId, ...path], i) => {
      const buffer = buffers[i];
      const view = buffer instanceof DataView ? buffer
        : new DataView(buffer instanceof ArrayBuffer ? buffer : buffer.buffer);
      (byWidget[widgetId] ||= { paths: [], buffers: [] }).paths.push(path);
      byWidget[widgetId].buffers.push(view);
    });
    const fresh = Object.keys(states).filter((id) => !this.has_model(id));
    const comms = await Promise.all(fresh.map((id) => this._create_comm(this.comm_target_name, id)));
    const created = fresh.map(async (id, i) => {
      const state = states[id];
      // buffer paths start at the entry ("state", then the field), as ManagerBase reads them
      if (byWidget[id]) base.put_buffers(state, byWidget[id].paths, byWidget[id].buffers);
      await this.new_model({
        model_name: state.model_name,
        model_module: state.model_module,
        model_module_version: state.model_module_version,
        model_id: id,
        comm: comms[i],
      }, state.state);
    });
    const updated = Object.keys(states).filter((id) => !fresh.includes(id)).map(async (id) => {
      const state = states[id];
      if (byWidget[id]) base.put_buffers(state, byWidget[id].paths, byWidget[id].buffers);
      const before = since?.states[id]?.state || {};
      const changed = Object.fromEntries(Object.entries(state.state)
        .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])));
      if (Object.keys(changed).length === 0) return;
      const model = await this.get_model(id);
      model.set_state(await model.constructor._deserialize_state(changed, this));
    });
    const results = await Promise.allSettled([...created, ...updated]);
    const failures = results.filter((r) => r.status === 'rejected');
    failures.forEach((r) => console.error(r.reason));
    return failures.length;
  }
}

export function createManager(kernel) {
  return new KernelWidgetManager(kernel);
}

async function showView(manager, placeholder) {
  const host = document.createElement('div');
  host.className = 'c4c-widget-host';
  placeholder.replaceWith(host);
  try {
    const { model_id: modelId } = JSON.parse(placeholder.textContent);
    const model = await manager.get_model(modelId);
    await manager.display_view(await manager.create_view(model), host);
    return 0;
  } catch (error) {
    console.error(error);
    return 1;
  }
}

const SLICE_MS = 50; // the browser's "long task": input waits behind anything longer
const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

// Live widgets in place of the page's placeholders, in page order; returns how many could not
// be shown. The work is cut into slices of about SLICE_MS with a paint between them, so the
// first outputs can be used while the ones further down a module page (a dozen there; an app
// has one) are still being built. A box's children are built in promise callbacks, which all
// run before the next slice.
export async function showViews(manager, root) {
  const placeholders = Array.from(root.querySelectorAll(`script[type="${VIEW_MIMETYPE}"]`));
  let failed = 0;
  let sliceStart = performance.now();
  let firstPainted = false;
  for (const [i, placeholder] of placeholders.entries()) {
    failed += await showView(manager, placeholder);
    if (performance.now() - sliceStart > SLICE_MS && i < placeholders.length - 1) {
      await afterPaint();
      if (!firstPainted) performance.mark('c4c-first-shown'); // the README's "first slice" figure
      firstPainted = true;
      sliceStart = performance.now();
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  return failed;
}
