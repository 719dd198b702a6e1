/// The `/docs` page: a small, dependency-free renderer of `/openapi.json` (no CDN, works offline).
enum DocsPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Gantry API</title>
        <style>
          :root { --fg:#1b1f24; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#0969da; }
          * { box-sizing: border-box; }
          body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--fg); }
          header { padding:16px 24px; border-bottom:1px solid var(--line); background:var(--bg); }
          header h1 { margin:0; font-size:20px; }
          main { display:flex; }
          nav { width:260px; padding:16px; border-right:1px solid var(--line); position:sticky; top:0; height:100vh; overflow:auto; }
          nav a { display:block; color:var(--fg); text-decoration:none; padding:2px 0; font-size:13px; }
          nav h3 { margin:12px 0 4px; font-size:12px; text-transform:uppercase; color:var(--muted); }
          section { flex:1; padding:16px 24px; max-width:1000px; }
          .op { border:1px solid var(--line); border-radius:6px; margin:12px 0; }
          .op > summary { padding:8px 12px; cursor:pointer; display:flex; gap:12px; align-items:center; }
          .method { font-weight:700; font-family:ui-monospace,monospace; width:64px; text-transform:uppercase; }
          .get{color:#1a7f37}.post{color:#0969da}.delete{color:#cf222e}.patch{color:#9a6700}.put{color:#8250df}
          .path { font-family:ui-monospace,monospace; }
          .summary { color:var(--muted); }
          .body { padding:0 12px 12px; }
          table { border-collapse:collapse; width:100%; margin:6px 0; }
          th, td { text-align:left; border-bottom:1px solid var(--line); padding:4px 6px; vertical-align:top; }
          code, pre { font-family:ui-monospace,monospace; font-size:12px; }
          pre { background:var(--bg); padding:8px; border-radius:6px; overflow:auto; }
          .desc { white-space:pre-wrap; }
          .lock { color:var(--muted); font-size:12px; }
        </style>
        </head>
        <body>
        <header><h1 id="title">Gantry API</h1><div id="meta" class="summary"></div></header>
        <main><nav id="nav"></nav><section id="content"><p>Loading /openapi.json…</p></section></main>
        <script>
        (async function () {
          const spec = await (await fetch('openapi.json')).json();
          const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
          const ref = r => r && r.$ref ? r.$ref.split('/').pop() : null;
          const resolve = obj => {
            if (!obj || !obj.$ref) return obj;
            return obj.$ref.split('/').slice(1).reduce((o, k) => o && o[k], spec);
          };
          const typeOf = s => {
            if (!s) return '';
            if (s.$ref) return '<a href="#schema-' + ref(s) + '">' + ref(s) + '</a>';
            if (s.type === 'array') return 'array of ' + typeOf(s.items);
            if (s.enum) return esc(s.type) + ' (' + s.enum.map(esc).join(' | ') + ')';
            return esc(Array.isArray(s.type) ? s.type.join('|') : s.type) + (s.format ? ' <code>' + esc(s.format) + '</code>' : '');
          };
          document.getElementById('title').textContent = spec.info.title + ' ' + spec.info.version;
          document.getElementById('meta').innerHTML = '<span class="desc">' + esc(spec.info.description || '') + '</span>';
          const byTag = {};
          for (const [path, item] of Object.entries(spec.paths || {})) {
            const shared = item.parameters || [];
            for (const [method, op] of Object.entries(item)) {
              if (method === 'parameters') continue;
              const tag = (op.tags || ['other'])[0];
              (byTag[tag] = byTag[tag] || []).push({ path, method, op, shared });
            }
          }
          let nav = '', html = '';
          // Tags in the order the document declares them, then any others.
          const declared = (spec.tags || []).map(t => t.name).filter(name => byTag[name]);
          const order = declared.concat(Object.keys(byTag).filter(name => !declared.includes(name)));
          for (const [tag, ops] of order.map(name => [name, byTag[name]])) {
            nav += '<h3>' + esc(tag) + '</h3>';
            html += '<h2>' + esc(tag) + '</h2>';
            for (const { path, method, op, shared } of ops) {
              const id = 'op-' + op.operationId;
              nav += '<a href="#' + id + '"><b class="' + method + '">' + method.toUpperCase() + '</b> ' + esc(path) + '</a>';
              const params = shared.concat(op.parameters || []).map(resolve);
              const secured = (op.security || spec.security || []).some(s => Object.keys(s).length > 0);
              let body = '<p class="desc">' + esc(op.description || '') + '</p>';
              if (!secured) body += '<p class="lock">No authentication required.</p>';
              if (params.length) {
                body += '<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>' +
                  params.map(p => '<tr><td><code>' + esc(p.name) + '</code>' + (p.required ? ' *' : '') + '</td><td>' + esc(p.in) +
                    '</td><td>' + typeOf(p.schema) + '</td><td>' + esc(p.description) + '</td></tr>').join('') + '</table>';
              }
              if (op.requestBody) {
                body += '<h4>Request body</h4><table><tr><th>Content type</th><th>Schema</th></tr>' +
                  Object.entries(op.requestBody.content).map(([ct, c]) => '<tr><td><code>' + esc(ct) + '</code></td><td>' + typeOf(c.schema) + '</td></tr>').join('') + '</table>';
              }
              body += '<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Schema</th></tr>' +
                Object.entries(op.responses || {}).map(([status, r0]) => {
                  const r = resolve(r0);
                  const c = r.content && Object.values(r.content)[0];
                  return '<tr><td>' + esc(status) + '</td><td>' + esc(r.description) + '</td><td>' + (c ? typeOf(c.schema) : '') + '</td></tr>';
                }).join('') + '</table>';
              html += '<details class="op" id="' + id + '"><summary><span class="method ' + method + '">' + method +
                '</span><span class="path">' + esc(path) + '</span><span class="summary">' + esc(op.summary) + '</span></summary><div class="body">' + body + '</div></details>';
            }
          }
          nav += '<h3>schemas</h3>';
          html += '<h2>Schemas</h2>';
          for (const [name, schema] of Object.entries((spec.components || {}).schemas || {})) {
            nav += '<a href="#schema-' + name + '">' + esc(name) + '</a>';
            const required = new Set(schema.required || []);
            let rows = Object.entries(schema.properties || {}).map(([p, s]) =>
              '<tr><td><code>' + esc(p) + '</code>' + (required.has(p) ? ' *' : '') + '</td><td>' + typeOf(s) + '</td><td>' + esc(s.description) + '</td></tr>').join('');
            html += '<div class="op" id="schema-' + name + '"><div class="body"><h3>' + esc(name) + '</h3><p class="desc">' + esc(schema.description || '') + '</p>' +
              (rows ? '<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>' + rows + '</table>' : '<p>' + typeOf(schema) + '</p>') + '</div></div>';
          }
          document.getElementById('nav').innerHTML = nav;
          document.getElementById('content').innerHTML = html;
          if (location.hash) { const el = document.querySelector(location.hash); if (el) { el.open = true; el.scrollIntoView(); } }
        })().catch(e => { document.getElementById('content').textContent = 'Could not load /openapi.json: ' + e; });
        </script>
        </body>
        </html>
        """#
}
