// Stands in for sanitize-html, which @jupyter-widgets/base-manager imports for one method
// (inline_sanitize) that our manager replaces with DOMPurify (./widgets.js). Bundling the real
// one would add ~230 KB (postcss, htmlparser2, entities) to every page.
export default function sanitizeHtmlIsNotBundled() {
  throw new Error('sanitize-html is not bundled: KernelWidgetManager.inline_sanitize uses DOMPurify');
}
