// FastStyle serve page: plain JavaScript, no framework, nothing loaded from the internet.
'use strict';
const $ = id => document.getElementById(id);

function showError(message) {
  const line = $('error');
  line.textContent = message ? message.split('\n')[0] : '';
  line.hidden = !message;
}

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(await res.text() || `${res.status} ${res.statusText}`);
  return res.json();
}

function fillSelect(select, values, empty) {
  select.replaceChildren(...(values.length ? values : [empty]).map(v => new Option(v, values.length ? v : '')));
}

// ---- tabs -------------------------------------------------------------------------------------
function showTab() {
  const tab = (location.hash || '#try').slice(1);
  for (const id of ['try', 'watch', 'compare']) $(id).hidden = id !== tab;
  document.querySelectorAll('nav a').forEach(a => a.classList.toggle('active', a.dataset.tab === tab));
  showError('');
  if (tab === 'watch') loadRuns();
  if (tab === 'compare') loadReports();
}
window.addEventListener('hashchange', showTab);

// ---- Try --------------------------------------------------------------------------------------
let outputUrl = null, inputUrl = null;

async function loadTry() {
  try {
    const models = await getJson('/api/models');
    fillSelect($('model'), models, '(no models)');
    if (models.includes('starry_night')) $('model').value = 'starry_night';
    const examples = await getJson('/api/examples');
    for (const e of examples) $('example').add(new Option(e, e));
  } catch (e) { showError(e.message); }
}

$('strength').addEventListener('input', () => { $('strength-value').textContent = $('strength').value; });
$('photo').addEventListener('change', () => {
  const file = $('photo').files[0];
  if (!file) return;
  $('example').value = '';
  if (inputUrl) URL.revokeObjectURL(inputUrl);
  $('input').src = inputUrl = URL.createObjectURL(file);
  $('input-caption').textContent = file.name;
});
$('example').addEventListener('change', () => {
  const name = $('example').value;
  if (!name) return;
  $('photo').value = '';
  $('input').src = '/api/examples/' + encodeURIComponent(name);
  $('input-caption').textContent = name;
});

$('try-form').addEventListener('submit', async event => {
  event.preventDefault();
  showError('');
  const form = new FormData($('try-form'));
  if (!$('photo').files.length) form.delete('photo');
  if (!$('photo').files.length && !$('example').value) { showError('choose a photo to upload or an example'); return; }
  $('stylize').disabled = true;
  $('timing').textContent = 'stylising…';
  const started = performance.now();
  try {
    const res = await fetch('/api/stylize', { method: 'POST', body: form });
    if (!res.ok) throw new Error(await res.text() || `${res.status} ${res.statusText}`);
    const blob = await res.blob();
    const total = (performance.now() - started) / 1000;
    if (outputUrl) URL.revokeObjectURL(outputUrl);
    outputUrl = URL.createObjectURL(blob);
    $('output').src = outputUrl;
    const timing = Object.fromEntries((res.headers.get('Server-Timing') || '').split(',')
      .map(p => p.trim().match(/^(\w+);dur=([\d.]+)/)).filter(Boolean).map(m => [m[1], Number(m[2]) / 1000]));
    const size = res.headers.get('X-Image-Size');
    $('output-caption').textContent = `${res.headers.get('X-Model')} · ${size}`;
    $('timing').textContent = `stylise ${fmt(timing.stylize)} s (decode ${fmt(timing.decode)} s, encode ${fmt(timing.encode)} s); `
      + `server ${fmt(timing.total)} s, round trip ${fmt(total)} s`;
    const download = $('download');
    download.href = outputUrl;
    download.download = `stylised-${res.headers.get('X-Model')}.png`;
    download.hidden = false;
  } catch (e) {
    $('timing').textContent = '';
    showError(e.message);
  } finally {
    $('stylize').disabled = false;
  }
});
const fmt = s => (s === undefined ? '?' : s.toFixed(2));

// ---- Watch ------------------------------------------------------------------------------------
let events = null, header = [], rows = [], shown = new Set(['total', 'content', 'style']), samples = [];

async function loadRuns() {
  try {
    const runs = await getJson('/api/runs');
    const current = $('run').value;
    fillSelect($('run'), runs, '(no run folders with metrics.csv under --runs)');
    if (runs.includes(current)) $('run').value = current;
    if (runs.length && (!events || current !== $('run').value)) watch($('run').value);
  } catch (e) { showError(e.message); }
}
$('run').addEventListener('change', () => watch($('run').value));

function watch(run) {
  if (events) events.close();
  header = []; rows = []; samples = [];
  drawPlot(); showSamples();
  $('run-status').textContent = 'connecting…';
  fetch('/api/run/config?run=' + encodeURIComponent(run)).then(r => r.text()).then(t => { $('config').textContent = t; });
  events = new EventSource('/api/run/events?run=' + encodeURIComponent(run));
  events.addEventListener('reset', () => { header = []; rows = []; drawPlot(); });
  // Every connection (and reconnection) starts with the header and then all rows: start over.
  events.addEventListener('header', e => { header = JSON.parse(e.data); rows = []; buildSeries(); drawPlot(); });
  events.addEventListener('rows', e => { rows.push(...JSON.parse(e.data)); drawPlot(); });
  events.addEventListener('samples', e => { samples = JSON.parse(e.data); showSamples(); });
  events.onopen = () => { $('run-status').textContent = 'live'; };
  events.onerror = () => { $('run-status').textContent = 'reconnecting…'; };
}

// Columns that can be plotted: numeric ones (the trainer's `precision` column is text and stays out).
function plottable() {
  return header.map((name, i) => ({ name, i }))
    .filter(c => c.name !== 'step' && rows.some(r => r[c.i] !== null));
}

function buildSeries() {
  const box = $('series');
  box.replaceChildren(...header.filter(h => !['step', 'seconds', 'images_per_second', 'precision'].includes(h)).map(name => {
    const label = document.createElement('label');
    const check = document.createElement('input');
    check.type = 'checkbox'; check.checked = shown.has(name);
    check.addEventListener('change', () => { check.checked ? shown.add(name) : shown.delete(name); drawPlot(); });
    label.append(check, ' ' + name);
    return label;
  }));
}

const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function drawPlot() {
  const canvas = $('plot'), g = canvas.getContext('2d');
  const W = canvas.width, H = canvas.height, L = 70, R = 10, T = 10, B = 30;
  g.clearRect(0, 0, W, H);
  const step = header.indexOf('step');
  const series = plottable().filter(c => shown.has(c.name));
  const points = series.flatMap(c => rows.filter(r => r[c.i] > 0 && r[step] !== null).map(r => [r[step], Math.log10(r[c.i])]));
  $('run-status').textContent = events ? `${rows.length} rows` + (rows.length ? `, step ${rows[rows.length - 1][step]}` : '') : '';
  if (!points.length) { g.fillStyle = '#888'; g.fillText('no rows yet', L, T + 20); return; }
  const xs = points.map(p => p[0]), ys = points.map(p => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.floor(Math.min(...ys)), y1 = Math.max(Math.ceil(Math.max(...ys)), y0 + 1);
  const X = x => L + (x - x0) / (x1 - x0) * (W - L - R), Y = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
  g.strokeStyle = '#ccc'; g.fillStyle = '#444'; g.font = '12px sans-serif';
  for (let y = y0; y <= y1; y++) {
    g.beginPath(); g.moveTo(L, Y(y)); g.lineTo(W - R, Y(y)); g.stroke();
    g.fillText('1e' + y, 5, Y(y) + 4);
  }
  g.fillText('step ' + x0, L, H - 8); g.fillText('step ' + x1, W - R - 80, H - 8);
  series.forEach((c, k) => {
    g.strokeStyle = colours[k % colours.length]; g.beginPath();
    let first = true;
    for (const r of rows) {
      if (!(r[c.i] > 0) || r[step] === null) continue;
      const px = X(r[step]), py = Y(Math.log10(r[c.i]));
      first ? g.moveTo(px, py) : g.lineTo(px, py); first = false;
    }
    g.stroke();
    g.fillStyle = g.strokeStyle; g.fillText(c.name, W - R - 150, T + 14 * (k + 1));
  });
}

function showSamples() {
  const steps = [...new Set(samples.map(s => s.step))];
  const select = $('sample-step'), current = select.value;
  fillSelect(select, steps.map(String).reverse(), '(no samples yet)');
  if (steps.map(String).includes(current)) select.value = current;
  renderSamples();
}
$('sample-step').addEventListener('change', renderSamples);

function renderSamples() {
  const step = Number($('sample-step').value);
  $('samples').replaceChildren(...samples.filter(s => s.step === step).map(s => {
    const figure = document.createElement('figure'), img = document.createElement('img'), caption = document.createElement('figcaption');
    img.src = s.url; img.alt = s.name; caption.textContent = s.name;
    figure.append(img, caption);
    return figure;
  }));
}

// ---- Compare ----------------------------------------------------------------------------------
async function loadReports() {
  try {
    const reports = await getJson('/api/reports');
    const current = $('report').value;
    fillSelect($('report'), reports, '(no folders with report.html under --runs)');
    if (reports.includes(current)) $('report').value = current;
    showReport();
  } catch (e) { showError(e.message); }
}
$('report').addEventListener('change', showReport);

function showReport() {
  const report = $('report').value;
  const url = report ? '/files/runs/' + (report === '.' ? '' : report.split('/').map(encodeURIComponent).join('/') + '/') + 'report.html' : 'about:blank';
  $('report-frame').src = url;
  $('report-link').href = url;
  $('report-link').hidden = !report;
}

loadTry();
showTab();
