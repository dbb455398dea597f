// anef-dossier: the little script of the web interface (no inline script:
// the Content-Security-Policy forbids them). Everything works without it;
// it adds automatic retries, drag and drop, zoom and live progress.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // A form the server could not save because the case was busy: submit it
  // again by itself, with the values typed.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (f) {
    var ms = parseInt(f.getAttribute("data-autosubmit"), 10) || 3000;
    setTimeout(function () { f.submit(); }, ms);
  });

  // Image zoom in the piece viewer.
  document.querySelectorAll(".viewer img").forEach(function (img) {
    img.addEventListener("click", function () { img.classList.toggle("zoomed"); });
    img.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); img.classList.toggle("zoomed"); }
    });
  });

  // Drag and drop onto the import zone: the files go into the file picker.
  document.querySelectorAll(".drop").forEach(function (zone) {
    var input = zone.querySelector('input[type="file"]');
    if (!input) { return; }
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        input.dispatchEvent(new Event("change"));
      }
    });
    // Several files: one type, title and date for each, placed before the
    // file input so that the server reads them before the files.
    var per = zone.querySelector(".per-file");
    var kinds = per ? (per.getAttribute("data-kinds") || "").split("|").map(function (kv) {
      var i = kv.indexOf("="); return [kv.slice(0, i), kv.slice(i + 1)];
    }) : [];
    function field(labelText, el, id) {
      var wrap = document.createElement("div");
      var label = document.createElement("label");
      label.htmlFor = id; label.textContent = labelText;
      el.id = id;
      wrap.appendChild(label); wrap.appendChild(el);
      return wrap;
    }
    input.addEventListener("change", function () {
      var list = zone.querySelector(".chosen");
      if (list) { list.textContent = ""; }
      if (per) { per.textContent = ""; }
      Array.prototype.forEach.call(input.files, function (f, i) {
        if (list) {
          var li = document.createElement("li");
          li.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " Ko)";
          list.appendChild(li);
        }
        if (!per || input.files.length < 2) { return; }
        var fs = document.createElement("fieldset");
        var lg = document.createElement("legend");
        lg.textContent = "Fichier " + (i + 1) + " : " + f.name;
        fs.appendChild(lg);
        var sel = document.createElement("select");
        sel.name = "type." + i;
        var o = document.createElement("option"); o.value = ""; o.textContent = "comme ci-dessus";
        sel.appendChild(o);
        kinds.forEach(function (k) { var op = document.createElement("option"); op.value = k[0]; op.textContent = k[1]; sel.appendChild(op); });
        fs.appendChild(field("Type de pièce", sel, "type-" + i));
        var t = document.createElement("input"); t.name = "titre." + i;
        fs.appendChild(field("Intitulé", t, "titre-" + i));
        var d = document.createElement("input"); d.type = "date"; d.name = "date." + i;
        fs.appendChild(field("Date", d, "date-" + i));
        per.appendChild(fs);
      });
    });
  });

  // Live progress of a capture: the page polls its job.
  document.querySelectorAll("[data-job]").forEach(function (box) {
    var url = box.getAttribute("data-job");
    var list = box.querySelector(".progress");
    var status = box.querySelector(".job-status");
    var seen = 0;
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          for (; seen < j.steps.length; seen++) {
            var li = document.createElement("li");
            li.textContent = j.steps[seen].text;
            if (j.steps[seen].fail) { li.className = "fail"; }
            list.appendChild(li);
          }
          if (j.done) {
            status.textContent = j.summary;
            status.className = "job-status " + (j.failed ? "late" : "ok-text");
            return;
          }
          setTimeout(tick, 700);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    tick();
  });
})();
