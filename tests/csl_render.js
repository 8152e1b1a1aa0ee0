// Render CSL-JSON items with citeproc-js (npm "citeproc"), as plain text.
// Used by tests/test_nlm_oracle.py as an independent check of the house style.
// argv: style.csl locale.xml; stdin: a JSON list of CSL-JSON items;
// stdout: a JSON list of the bibliography entries, in the items' order.
"use strict";
const fs = require("fs");
const CSL = require("citeproc");

const [style, locale] = process.argv.slice(2).map((p) => fs.readFileSync(p, "utf8"));
const items = JSON.parse(fs.readFileSync(0, "utf8"));
const byId = new Map(items.map((item) => [item.id, item]));
const engine = new CSL.Engine(
  { retrieveLocale: () => locale, retrieveItem: (id) => byId.get(id) },
  style,
  "en-US",
);
engine.setOutputFormat("text");
engine.updateItems(items.map((item) => item.id));
const [, entries] = engine.makeBibliography();
process.stdout.write(JSON.stringify(entries.map((entry) => entry.trim())));
