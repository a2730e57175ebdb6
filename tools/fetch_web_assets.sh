#!/usr/bin/env bash
# Fetch the JavaScript the web book serves itself (instead of loading it from CDNs), so the
# built book works offline: MathJax 3 and the Jupyter widgets HTML manager (with require.js).
# Pinned versions, fetched once from the npm registry into web_assets/ (git-ignored);
# _config.yml points Sphinx at them.
set -euo pipefail
cd "$(dirname "$0")/.."
MATHJAX=mathjax@3.2.2
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.15   # ipywidgets 8 (widget protocol 2)
REQUIREJS=requirejs@2.3.7
STAMP="web_assets/.versions"
WANT="$MATHJAX $HTML_MANAGER $REQUIREJS"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$MATHJAX" "$HTML_MANAGER" "$REQUIREJS" >/dev/null)
rm -rf web_assets && mkdir -p web_assets/mathjax web_assets/html-manager
for t in "$tmp"/*.tgz; do mkdir -p "$tmp/x" && tar xzf "$t" -C "$tmp/x" && mv "$tmp/x/package" "$tmp/$(basename "$t" .tgz)" && rm -rf "$tmp/x"; done
cp -r "$tmp"/mathjax-*/es5/. web_assets/mathjax/
cp "$tmp"/jupyter-widgets-html-manager-*/dist/embed-amd.js web_assets/html-manager/
find "$tmp"/jupyter-widgets-html-manager-*/dist -maxdepth 1 -type f \
  \( -name '*.woff*' -o -name '*.ttf' -o -name '*.eot' -o -name '*.svg' \) -exec cp {} web_assets/html-manager/ \;
cp "$tmp"/requirejs-*/require.js web_assets/require.js
echo "$WANT" > "$STAMP"
echo "web assets ready in web_assets/ ($(du -sh web_assets | cut -f1))"
