// The enroll-audit console's only script (served from /console/console.js: the CSP allows no inline
// script). Two things, each only where the page has it: "copy as text for a ticket", and new events of
// an enrollment shown live from the server-sent events of /console/events. Every value from the server
// goes into the page as text (textContent), never as markup.
"use strict";

// The id encoding of the page's data-streams: percent-encoded, only A-Z a-z 0-9 - . _ ~ kept.
function encodeID(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, function (c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  });
}

function cell(row, text, className) {
  var td = document.createElement("td");
  if (className) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    td.appendChild(span);
  } else {
    td.textContent = text;
  }
  row.appendChild(td);
}

function setUpCopy(article) {
  var button = article.querySelector(".copy-ticket");
  var text = article.querySelector(".ticket-text");
  var status = article.querySelector(".copied");
  if (!button || !text) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var done = function () { status.textContent = "Copied."; };
    var fallback = function () {
      var range = document.createRange();
      range.selectNodeContents(text);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = document.execCommand("copy") ? "Copied." : "Select the text below and copy it.";
    };
    article.querySelector("details.ticket").open = true;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.textContent).then(done, fallback);
    } else {
      fallback();
    }
  });
}

function setUpLive(article) {
  var url = article.getAttribute("data-events");
  var streams = (article.getAttribute("data-streams") || "").split(" ").filter(Boolean);
  var body = article.querySelector("table.timeline tbody");
  var live = article.querySelector(".live");
  if (!url || !body || !window.EventSource) return;
  var added = 0;
  var source = new EventSource(url);
  source.addEventListener("message", function (message) {
    var event;
    try { event = JSON.parse(message.data); } catch (e) { return; }
    if (streams.indexOf(encodeID(String(event.stream))) < 0) return;
    var row = document.createElement("tr");
    row.className = "outcome-new";
    cell(row, String(event.occurred_at));
    cell(row, "");
    cell(row, "new", "badge outcome-new");
    cell(row, "New event (reload for its label and hint)");
    cell(row, String(event.type));
    cell(row, String(event.source));
    cell(row, String(event.stream));
    cell(row, String(event.position));
    cell(row, String(event.event_id));
    body.appendChild(row);
    added += 1;
    live.textContent = added === 1 ? "1 new event arrived." : added + " new events arrived.";
  });
  window.addEventListener("pagehide", function () { source.close(); });
}

document.querySelectorAll("article.enrollment").forEach(function (article) {
  setUpCopy(article);
  setUpLive(article);
});
