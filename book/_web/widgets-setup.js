// Loaded between require.js and the Jupyter widgets HTML manager on pages with widgets.
// 1. The manager finds its fonts next to its own module: point require.js at the copy the
//    book serves itself (_static/html-manager), not at a CDN.
// 2. The manager typesets widget labels with MathJax 2's API (MathJax.Hub.Queue); Sphinx
//    serves MathJax 3. Give every MathJax object a Hub.Queue that calls MathJax 3 instead.
(function () {
  var here = document.currentScript.src;
  var base = here.slice(0, here.lastIndexOf("/") + 1);
  if (window.require && window.require.config) {
    window.require.config({paths: {"@jupyter-widgets/html-manager/dist": base + "html-manager"}});
  }
  function addHub(mj) {
    if (mj && typeof mj === "object" && !mj.Hub) {
      mj.Hub = {Queue: function (job) {
        var el = job && job[2];
        var now = window.MathJax;
        if (el && now && now.startup && now.startup.promise) {
          now.startup.promise.then(function () { return now.typesetPromise([el]); })
            .catch(function (e) { console.warn("MathJax could not typeset a widget label", e); });
        }
      }};
    }
    return mj;
  }
  var current = addHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (v) { current = addHub(v); },
  });
})();
