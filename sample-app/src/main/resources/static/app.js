// The demo page: starts scenario runs, polls their reports, and draws them. No libraries, no build step.
'use strict';

const POLL_MILLIS = 250;
const COLORS = { ok: '#2e7d32', bad: '#c62828', pending: '#b0bec5', ink: '#1d2733', muted: '#5f6b7a', line: '#dde3ea' };

const $ = (id) => document.getElementById(id);
let polling = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    // Errors are RFC 9457 problem details.
    const problem = data || {};
    throw new Error((problem.title || response.statusText) + (problem.detail ? ': ' + problem.detail : ''));
  }
  return data;
}

function selectedKind() {
  return document.querySelector('input[name="kind"]:checked').value;
}

function kindClass(kind) {
  const classes = {
    FLASH_SALE: 'flash-sale', SCHEDULED_JOB: 'scheduled-job', PAUSED_HOLDER: 'paused-holder',
    CRASHED_HOLDER: 'crashed-holder',
  };
  return classes[kind] || 'checkout';
}

function showKind() {
  $('scenario-form').className = kindClass(selectedKind());
}

function number(id) {
  return parseInt($(id).value, 10);
}

async function start(locked) {
  $('error').hidden = true;
  setButtons(false);
  try {
    const report = await api('POST', '/api/scenario-runs', {
      kind: selectedKind(),
      servers: number('servers'),
      orders: number('orders'),
      buyers: number('buyers'),
      stock: number('stock'),
      paymentTimeMillis: number('payment-time'),
      periods: number('periods'),
      fencing: $('fencing').checked,
      design: document.querySelector('input[name="design"]:checked').value,
      locked,
    });
    render(report);
    poll(report.id);
  }
  catch (error) {
    showError(error);
    setButtons(true);
  }
}

function poll(id) {
  clearTimeout(polling);
  polling = setTimeout(async () => {
    try {
      const report = await api('GET', '/api/scenario-runs/' + encodeURIComponent(id));
      render(report);
      if (report.status === 'RUNNING') {
        poll(id);
      }
      else {
        setButtons(true);
        refreshRuns();
      }
    }
    catch (error) {
      showError(error);
      setButtons(true);
    }
  }, POLL_MILLIS);
}

function setButtons(enabled) {
  $('run-unlocked').disabled = !enabled;
  $('run-locked').disabled = !enabled;
}

function showError(error) {
  $('error').textContent = error.message;
  $('error').hidden = false;
}

function render(report) {
  const result = $('result');
  result.hidden = false;
  result.className = 'panel ' + kindClass(report.request.kind);
  result.dataset.runId = report.id;
  result.dataset.status = report.status;
  $('run-id').textContent = report.id;
  const unfenced = report.request.kind === 'PAUSED_HOLDER' && !report.request.fencing ? ', no fencing tokens' : '';
  const lockFree = report.request.kind === 'FLASH_SALE' && report.request.design !== 'LOCK';
  $('run-lock').textContent = lockFree ? 'no lock needed: ' + DESIGNS[report.request.design]
    : (report.request.locked ? 'with the lock (' + report.backend + unfenced + ')' : 'without the lock');
  $('run-status').textContent = report.status;
  $('run-progress').textContent = report.done + ' of ' + report.total + ' calls, ' + seconds(report.elapsedMillis);
  setValue('double-charged', report.doubleCharged, report.doubleCharged > 0);
  setValue('extra-charges', report.extraCharges, report.extraCharges > 0);
  setValue('orders-charged', report.ordersCharged, false);
  setValue('sold', report.sold, false);
  setValue('oversold', report.oversold, report.oversold > 0);
  setValue('stock-left', report.stockLeft, report.stockLeft < 0);
  setValue('periods-run-twice', report.periodsRunTwice, report.periodsRunTwice > 0);
  setValue('extra-runs', report.extraRuns, report.extraRuns > 0);
  setValue('periods-run', report.runsPerPeriod.filter((runs) => runs > 0).length, false);
  setValue('buyers-per-second', Math.round(report.buyersPerSecond), false);
  $('answer-times').textContent = report.p50AnswerMillis > 0
    ? report.p50AnswerMillis.toFixed(2) + ' / ' + report.p99AnswerMillis.toFixed(1) + ' ms' : '-';
  setValue('stale-refused', report.staleTokens, false);
  setValue('lease-lost', report.leaseLost, report.leaseLost > 0);
  setValue('completions', report.completions, report.completions !== 1 && report.status !== 'RUNNING');
  setValue('task-overlaps', report.taskOverlaps, report.taskOverlaps > 0);
  $('takeover').textContent = report.takeoverMillis >= 0 ? seconds(report.takeoverMillis) : '-';
  $('takeover-detail').textContent = report.takeoverMillis >= 0
    ? 'the crashed holder\'s lease ran out first' : (report.request.locked ? '' : 'nobody waited for the lease');
  setValue('lock-calls', report.lockServiceCalls, false);
  $('lock-calls-detail').textContent = report.request.kind === 'FLASH_SALE' && report.sold > 0
    ? (report.lockServiceCalls / report.sold).toFixed(1) + ' per item sold' : '';
  setValue('lock-waits', report.lockWaits, false);
  $('lock-wait-time').textContent = report.lockWaits > 0
    ? 'waited ' + seconds(report.lockWaitMillis) + ' in all, longest ' + report.longestLockWaitMillis + ' ms'
    : (report.request.locked ? '' : 'no lock taken');
  const failures = report.lockNotAcquired + report.staleTokens + report.leaseLost + report.otherFailures;
  // A stale charge refused is the paused holder's good outcome, not a failure to flag.
  const flagged = report.request.kind === 'PAUSED_HOLDER' ? failures - report.staleTokens : failures;
  setValue('failures', failures, flagged > 0);
  $('failure-detail').textContent = failures > 0
    ? report.lockNotAcquired + ' gave up waiting, ' + report.staleTokens + ' stale tokens, ' + report.leaseLost
      + ' lost leases, ' + report.otherFailures + ' other' + (report.lastFailure ? ' (last: ' + report.lastFailure + ')' : '')
    : '';
  if (report.request.kind === 'FLASH_SALE') {
    drawSale(report);
  }
  else if (report.request.kind === 'SCHEDULED_JOB') {
    drawRuns(report);
  }
  else if (report.request.kind === 'CRASHED_HOLDER') {
    drawCounts(report.servers.map((server) => server.successes), 'settlements',
      'servers 1 to ' + report.servers.length,
      'Each bar is a server: how many settlements it completed. The first crashed; one completion in all is right.');
  }
  else {
    drawCharges(report);
  }
}

function setValue(id, value, bad) {
  const element = $(id);
  element.textContent = String(value);
  element.classList.toggle('bad', bad);
}

function seconds(millis) {
  return (millis / 1000).toFixed(1) + ' s';
}

// A canvas sized for the screen's pixel density, with the drawing area inside the axis margins.
function prepareCanvas() {
  const canvas = $('chart');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  context.font = '12px system-ui, sans-serif';
  const area = { left: 48, top: 14, right: width - 12, bottom: height - 34 };
  area.width = area.right - area.left;
  area.height = area.bottom - area.top;
  return { context, area };
}

function drawAxes(context, area, maxY, yLabel, xLabel) {
  context.strokeStyle = COLORS.line;
  context.fillStyle = COLORS.muted;
  context.lineWidth = 1;
  context.textAlign = 'right';
  context.textBaseline = 'middle';
  for (let y = 0; y <= maxY; y++) {
    const py = area.bottom - (y / maxY) * area.height;
    context.beginPath();
    context.moveTo(area.left, py);
    context.lineTo(area.right, py);
    context.stroke();
    context.fillText(String(y), area.left - 6, py);
  }
  context.save();
  context.translate(12, area.top + area.height / 2);
  context.rotate(-Math.PI / 2);
  context.textAlign = 'center';
  context.fillText(yLabel, 0, 0);
  context.restore();
  context.textAlign = 'center';
  context.textBaseline = 'top';
  context.fillText(xLabel, area.left + area.width / 2, area.bottom + 16);
}

// Checkout: one bar per order, its height the ledger's charges of that order. One is right; more is a double charge.
function drawCharges(report) {
  drawCounts(report.chargesPerOrder, 'charges', 'orders 1 to ' + report.chargesPerOrder.length,
    'Each bar is an order: green is charged once, red is charged more than once; the dashed line is one charge.');
}

// Scheduled job: one bar per period, its height the runs of the job in that period. One is right; more ran twice.
function drawRuns(report) {
  drawCounts(report.runsPerPeriod, 'runs', 'periods 1 to ' + report.runsPerPeriod.length,
    'Each bar is a period: green ran the job once, red more than once; the dashed line is one run.');
}

// One bar per thing counted; one is right, more is red, none yet is a grey stub.
function drawCounts(counts, yLabel, xLabel, legend) {
  const { context, area } = prepareCanvas();
  const maxY = Math.max(2, ...counts);
  drawAxes(context, area, maxY, yLabel, xLabel);
  const slot = area.width / Math.max(1, counts.length);
  const barWidth = Math.max(1, slot * 0.75);
  counts.forEach((count, index) => {
    const x = area.left + index * slot + (slot - barWidth) / 2;
    if (count === 0) {
      context.fillStyle = COLORS.pending;
      context.fillRect(x, area.bottom - 2, barWidth, 2);
      return;
    }
    const barHeight = (count / maxY) * area.height;
    context.fillStyle = count > 1 ? COLORS.bad : COLORS.ok;
    context.fillRect(x, area.bottom - barHeight, barWidth, barHeight);
  });
  dashedLine(context, area, 1 / maxY, COLORS.ink);
  $('chart-legend').textContent = legend;
}

// Flash sale: items sold by each server, stacked; the dashed line is the stock there was. Above it is oversold.
function drawSale(report) {
  const { context, area } = prepareCanvas();
  const servers = report.servers;
  const stock = report.request.stock;
  const maxY = Math.max(stock + 1, report.sold, ...servers.map((server) => server.successes));
  drawAxes(context, area, maxY, 'items', 'bought through server');
  const slot = area.width / (servers.length + 1);
  const barWidth = Math.min(60, slot * 0.6);
  let soldBefore = 0;
  servers.forEach((server, index) => {
    const x = area.left + (index + 0.5) * slot - barWidth / 2;
    for (let item = 0; item < server.successes; item++) {
      const y = area.bottom - ((item + 1) / maxY) * area.height;
      context.fillStyle = soldBefore + item < stock ? COLORS.ok : COLORS.bad;
      context.fillRect(x, y + 1, barWidth, area.height / maxY - 2);
    }
    soldBefore += server.successes;
    context.fillStyle = COLORS.muted;
    context.textAlign = 'center';
    context.textBaseline = 'top';
    context.fillText(server.name, x + barWidth / 2, area.bottom + 2);
  });
  const totalX = area.left + (servers.length + 0.5) * slot - barWidth / 2;
  const soldHeight = (report.sold / maxY) * area.height;
  const stockHeight = (Math.min(report.sold, stock) / maxY) * area.height;
  context.fillStyle = COLORS.bad;
  context.fillRect(totalX, area.bottom - soldHeight, barWidth, soldHeight);
  context.fillStyle = COLORS.ok;
  context.fillRect(totalX, area.bottom - stockHeight, barWidth, stockHeight);
  context.fillStyle = COLORS.ink;
  context.fillText('total', totalX + barWidth / 2, area.bottom + 2);
  dashedLine(context, area, stock / maxY, COLORS.ink);
  $('chart-legend').textContent = 'Items sold per server and in total; the dashed line is the stock there was. '
    + 'Red items were sold beyond it.';
}

function dashedLine(context, area, fraction, color) {
  const y = area.bottom - fraction * area.height;
  context.save();
  context.setLineDash([6, 4]);
  context.strokeStyle = color;
  context.lineWidth = 1.5;
  context.beginPath();
  context.moveTo(area.left, y);
  context.lineTo(area.right, y);
  context.stroke();
  context.restore();
}

async function refreshRuns() {
  try {
    const reports = await api('GET', '/api/scenario-runs');
    const body = document.querySelector('#runs tbody');
    body.replaceChildren(...reports.slice().reverse().map(runRow));
    showDesigns(reports);
  }
  catch (error) {
    showError(error);
  }
}

const DESIGNS = { LOCK: 'lock', CONDITIONAL_UPDATE: 'conditional update', ROUTED: 'routed' };

// The latest finished flash sale of each design, side by side: a table and a bar of buyers answered per second.
function showDesigns(reports) {
  const latest = {};
  reports.filter((report) => report.request.kind === 'FLASH_SALE' && report.status === 'FINISHED')
    .forEach((report) => {
      const design = report.request.design === 'LOCK' && !report.request.locked ? 'NONE' : report.request.design;
      latest[design] = report;
    });
  const order = ['NONE', 'LOCK', 'CONDITIONAL_UPDATE', 'ROUTED'].filter((design) => latest[design]);
  $('designs').hidden = order.length === 0;
  if (order.length === 0) {
    return;
  }
  const name = (design) => (design === 'NONE' ? 'no lock, no design' : DESIGNS[design]);
  $('design-table').querySelector('tbody').replaceChildren(...order.map((design) => {
    const report = latest[design];
    const row = document.createElement('tr');
    row.dataset.design = design;
    [name(design), report.request.buyers, report.sold, report.oversold, Math.round(report.buyersPerSecond),
      report.p50AnswerMillis.toFixed(2) + ' ms', report.p99AnswerMillis.toFixed(1) + ' ms', report.lockWaits,
      report.sold > 0 ? (report.lockServiceCalls / report.sold).toFixed(1) : '-']
      .forEach((value, index) => {
        const cell = document.createElement('td');
        cell.textContent = String(value);
        if (index === 3) {
          cell.className = report.oversold > 0 ? 'bad' : 'ok';
        }
        row.appendChild(cell);
      });
    return row;
  }));
  const canvas = $('design-chart');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.font = '12px system-ui, sans-serif';
  const most = Math.max(1, ...order.map((design) => latest[design].buyersPerSecond));
  const rowHeight = canvas.height / order.length;
  order.forEach((design, index) => {
    const report = latest[design];
    const y = index * rowHeight;
    const width = (report.buyersPerSecond / most) * (canvas.width - 260);
    context.fillStyle = report.oversold > 0 ? COLORS.bad : COLORS.ok;
    context.fillRect(170, y + rowHeight * 0.2, width, rowHeight * 0.6);
    context.fillStyle = COLORS.ink;
    context.textBaseline = 'middle';
    context.textAlign = 'right';
    context.fillText(name(design), 160, y + rowHeight / 2);
    context.textAlign = 'left';
    context.fillText(Math.round(report.buyersPerSecond) + ' buyers/s', 176 + width, y + rowHeight / 2);
  });
}

function runRow(report) {
  const row = document.createElement('tr');
  row.dataset.runId = report.id;
  const kind = report.request.kind;
  const outcomes = {
    CHECKOUT: [report.doubleCharged > 0,
      report.doubleCharged + ' of ' + report.request.orders + ' orders charged twice or more', 'checkout'],
    FLASH_SALE: [report.oversold > 0,
      report.sold + ' sold of ' + report.request.stock + ', ' + report.oversold + ' oversold',
      'flash sale, ' + DESIGNS[report.request.design] + ' (' + report.request.buyers + ' buyers)'],
    SCHEDULED_JOB: [report.periodsRunTwice > 0,
      report.periodsRunTwice + ' of ' + report.request.periods + ' periods run twice or more', 'scheduled job'],
    PAUSED_HOLDER: [report.doubleCharged > 0,
      (report.doubleCharged > 0 ? 'charged twice' : 'charged once') + ', ' + report.staleTokens + ' stale refused',
      'paused holder' + (report.request.locked && !report.request.fencing ? ' (no fencing)' : '')],
    CRASHED_HOLDER: [report.taskOverlaps > 0 || report.completions !== 1,
      report.completions + ' completed, ' + report.taskOverlaps + ' at work at once'
        + (report.takeoverMillis >= 0 ? ', taken over after ' + seconds(report.takeoverMillis) : ''),
      'crashed holder'],
  };
  const [bad, result, name] = outcomes[kind] || outcomes.CHECKOUT;
  const cells = [
    report.id,
    name,
    report.request.locked ? 'on' : 'off',
    String(report.request.servers),
    result,
    String(report.lockWaits),
    report.status === 'RUNNING' ? 'running' : seconds(report.elapsedMillis),
  ];
  cells.forEach((text, index) => {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (index === 4 && report.status !== 'RUNNING') {
      cell.className = bad ? 'bad' : 'ok';
    }
    row.appendChild(cell);
  });
  return row;
}

async function showInstance() {
  try {
    const instance = await api('GET', '/api/instance');
    $('instance').textContent = 'Instance ' + instance.name + ': its own endpoints lock '
      + (instance.locking ? 'with the ' + instance.backend + ' backend' : 'nothing (sample.locking=false)')
      + '; payment time ' + instance.paymentTimeMillis + ' ms.';
  }
  catch (error) {
    $('instance').textContent = 'Cannot reach the application: ' + error.message;
  }
}

document.querySelectorAll('input[name="kind"]').forEach((input) => input.addEventListener('change', showKind));
$('run-unlocked').addEventListener('click', () => start(false));
$('run-locked').addEventListener('click', () => start(true));
showKind();
showInstance();
refreshRuns();
