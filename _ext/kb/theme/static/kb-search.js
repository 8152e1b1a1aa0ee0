// Search page of the CLAHRC WM Knowledge Base (templates/kb-search.html).
//
// Runs the reader's query (?q=..., as furo's sidebar search box sends it),
// with any filters (?theme=ios&author=graeme-currie&year=2019, repeatable),
// against the Pagefind index that _ext/kb/search.py writes to pagefind/
// (and, on a large site, to the further shards pagefind/kb-recent.json
// lists), merged with the segments of recently written pages
// (pagefind-recent/<k>/) that manifest names (see _ext/kb/pagefind_bundle.py).
//
// No false hits: Pagefind matches a word it does not know by the longest
// indexed word it starts with ("photosynthesis" finds the word "p"). So
// each query word is first looked up in the index's vocabulary
// (pagefind/kb-words.json and one shard per word, _ext/kb/search_words.py):
// it must be a word of some page, or, for the last word of at least three
// letters, the start of one. A word in no page means no results, said
// plainly, with "Did you mean ..." links to the nearest words that are
// (edit distance, then the most pages first), and Pagefind is not even
// loaded. The filters are a real form: ticking boxes and pressing Search
// puts them in the URL, so a filtered search can be shared.
//
// Every URL is resolved against the page's content root, so the site works
// from any sub-path. A classic script (not a module), so that opened from
// disk (file://), where browsers refuse modules, it can still say what to do.

(() => {
  const PAGE_SIZE = 10;
  const FILTERS = ["theme", "author", "year"];
  const FILTER_NAMES = { theme: "Theme", author: "Author", year: "Year" };
  /** Authors offered at most (by number of results), besides those ticked. */
  const MAX_AUTHORS = 25;
  const RANKING = { metaWeights: { title: 8.0, authors: 8.0 } };

  const root = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  const form = document.getElementById("kb-search-form");
  const input = document.getElementById("kb-search-query");
  const summary = document.getElementById("kb-search-summary");
  const suggest = document.getElementById("kb-search-suggest");
  const scope = document.getElementById("kb-search-scope");
  const list = document.getElementById("kb-search-results");
  const more = document.getElementById("kb-search-more");
  const panel = document.getElementById("kb-search-filters");
  const groups = document.getElementById("kb-search-filter-groups");
  const section = document.getElementById("kb-search");
  const labels = section && section.dataset.labels ? JSON.parse(section.dataset.labels) : {};

  // ---------------------------------------------------------------- words

  /** Query words as Pagefind indexes them: letters and digits, lower case, no accents. */
  function queryWords(query) {
    return query.split(/\s+/)
      .map((w) => w.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, ""))
      .filter((w) => w);
  }

  const jsonCache = new Map();
  function getJSON(path) {
    if (!jsonCache.has(path)) {
      jsonCache.set(path, fetch(new URL(path, root)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return jsonCache.get(path);
  }

  /** The main index's vocabulary: {shards: {key: file}}, and shards by key. */
  const vocabulary = {
    index() {
      return getJSON("pagefind/kb-words.json");
    },
    async keys() {
      const index = await this.index();
      return index ? index.shards : null;
    },
    /** The longest shard key the word starts with. */
    keyOf(keys, word) {
      let best = null;
      for (const key of Object.keys(keys)) {
        if (word.startsWith(key) && (!best || key.length > best.length)) best = key;
      }
      return best;
    },
    async shard(keys, key) {
      if (!key || !keys[key]) return new Map();
      const words = (await getJSON(`pagefind/kb-words/${keys[key]}`)) || [];
      // [pages, heading pages, shards]: the main index's shards that hold the
      // word, as bits (absent when the index is one bundle).
      return new Map(words.map(([word, pages, headings, shards]) => [word, [pages, headings, shards]]));
    },
  };

  /** How a word stands in a vocabulary: its pages, and whether longer words extend it. */
  function standing(words, word) {
    let extended = false;
    let extendedInHeadings = false;
    for (const [other, [, headings]] of words) {
      if (other !== word && other.startsWith(word)) {
        extended = true;
        if (headings > 0) { extendedInHeadings = true; break; }
      }
    }
    const [pages, headings] = words.get(word) || [0, 0];
    return { pages, headings, extended, extendedInHeadings };
  }

  /** Does the vocabulary allow the word: it occurs, or (last word, 3+ letters) starts one. */
  function allowed(info, last, word) {
    return info.pages > 0 || (last && word.length >= 3 && info.extended);
  }

  /** Is the word in some page's title, authors or themes (the headings index)? */
  function inHeadings(info, last, word) {
    return info.headings > 0 || (last && word.length >= 3 && info.extendedInHeadings);
  }

  /** Each query word's standing in the main vocabulary (null: no vocabulary). */
  async function lookUp(words) {
    const keys = await vocabulary.keys();
    if (!keys) return null;
    return Promise.all(words.map(async (word, i) => {
      const deeper = Object.keys(keys).some((k) => k.length > word.length && k.startsWith(word));
      const words2 = await vocabulary.shard(keys, vocabulary.keyOf(keys, word));
      const info = standing(words2, word);
      // Which of the main index's shards may match it: those with the word,
      // and, for a last word of 3 letters or more, those with a word it starts.
      const prefix = i === words.length - 1 && word.length >= 3;
      const own = words2.get(word);
      info.inShards = own ? bits(own[2]) : 0n;
      // Pages of the words it starts (an upper bound; unknown past this shard).
      info.prefixPages = info.pages;
      for (const [other, [pages, , shards]] of words2) {
        if (other !== word && other.startsWith(word)) {
          info.prefixPages += pages;
          if (prefix) info.inShards = orBits(info.inShards, bits(shards));
        }
      }
      if (deeper) {
        info.extended = true;
        info.prefixPages = Infinity;
        if (prefix) info.inShards = null;
      }
      info.shard = words2;
      return info;
    }));
  }

  /** A word's shards as a BigInt of bits; null: every shard (no bits written). */
  function bits(shards) {
    return shards === undefined ? null : BigInt(shards);
  }

  function orBits(a, b) {
    return a === null || b === null ? null : a | b;
  }

  /** The main index's shards that may hold pages with every query word. */
  function mainShards(recent, words, infos) {
    const all = ["pagefind/", ...((recent && recent.shards) || [])];
    if (!words.length || !infos) return all;
    return all.filter((_, k) => infos.every(
      (info) => info.inShards === null || ((info.inShards >> BigInt(k)) & 1n) === 1n));
  }

  /** Optimal string alignment distance, giving up above ``limit``. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    const rows = [];
    for (let i = 0; i <= a.length; i++) {
      rows.push(new Array(b.length + 1).fill(0));
      rows[i][0] = i;
    }
    for (let j = 0; j <= b.length; j++) rows[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
      let best = Infinity;
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          d = Math.min(d, rows[i - 2][j - 2] + 1);
        }
        rows[i][j] = d;
        best = Math.min(best, d);
      }
      if (best > limit) return limit + 1;
    }
    return rows[a.length][b.length];
  }

  /** Indexed words near ``word``: nearest first, then those in most pages. */
  async function nearWords(word, shard, minPages) {
    const keys = await vocabulary.keys();
    const pools = [shard];
    if (word.length > 1) {  // a typo in the first two letters: swapped
      const swapped = word[1] + word[0] + word.slice(2);
      pools.push(await vocabulary.shard(keys, vocabulary.keyOf(keys, swapped)));
    }
    const limit = word.length <= 4 ? 1 : 2;
    const found = new Map();
    for (const pool of pools) {
      for (const [other, [pages]] of pool) {
        if (other === word || pages < minPages) continue;
        const d = distance(word, other, limit);
        if (d <= limit) found.set(other, { word: other, d, pages });
      }
    }
    return [...found.values()].sort((x, y) => x.d - y.d || y.pages - x.pages || (x.word < y.word ? -1 : 1));
  }

  /** Up to three whole queries with the doubtful words replaced. */
  async function suggestions(words, infos, results) {
    const options = [];
    for (let i = 0; i < words.length; i++) {
      const info = infos[i];
      const last = i === words.length - 1;
      const missing = !allowed(info, last, words[i]);
      const rare = !missing && results <= 2 && info.pages > 0 && info.pages <= 2;
      if (!missing && !rare) continue;
      const near = await nearWords(words[i], info.shard, rare ? info.pages * 10 : 1);
      if (near.length) options.push([i, near.slice(0, 3).map((n) => n.word)]);
    }
    if (!options.length) return [];
    const out = [];
    const count = Math.max(...options.map(([, near]) => near.length));
    for (let k = 0; k < count; k++) {
      const replaced = [...words];
      for (const [i, near] of options) replaced[i] = near[Math.min(k, near.length - 1)];
      const text = replaced.join(" ");
      if (!out.includes(text)) out.push(text);
    }
    return out;
  }

  // ------------------------------------------------------------- rendering

  /** Pagefind's excerpt, keeping only its text and <mark> highlights. */
  function excerptNodes(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = [];
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.push(mark);
      } else {
        out.push(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  function resultItem(data) {
    const item = document.createElement("li");
    item.className = "kb-search-result";
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    item.append(link);
    if (data.meta && data.meta.authors) {
      const by = document.createElement("p");
      by.className = "kb-search-authors";
      by.textContent = data.meta.authors.split("; ").join(", ");
      item.append(by);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "kb-search-excerpt";
    excerpt.append(...excerptNodes(data.excerpt || ""));
    item.append(excerpt);
    return item;
  }

  function quoted(query) {
    return `\u2018${query}\u2019`;
  }

  function labelOf(filter, value) {
    return (labels[filter] && labels[filter][value]) || value;
  }

  /** "in theme X, by Y and Z, from 2019": the active filters, in words. */
  function describeFilters(active) {
    const parts = [];
    const join = (values, filter) => values.map((v) => labelOf(filter, v)).join(" or ");
    if (active.theme) parts.push(`in ${join(active.theme, "theme")}`);
    if (active.author) parts.push(`by ${join(active.author, "author")}`);
    if (active.year) parts.push(`from ${join(active.year, "year")}`);
    return parts.join(", ");
  }

  function searchURL(query, active) {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    for (const filter of FILTERS) for (const v of active[filter] || []) params.append(filter, v);
    return `?${params}`;
  }

  function showSuggestions(texts, active) {
    suggest.replaceChildren();
    if (!texts.length) return;
    suggest.append("Did you mean ");
    texts.forEach((text, k) => {
      if (k) suggest.append(k === texts.length - 1 ? " or " : ", ");
      const link = document.createElement("a");
      link.href = searchURL(text, active);
      link.textContent = text;
      suggest.append(link);
    });
    suggest.append("?");
    suggest.hidden = false;
  }

  /** The filter controls: a fieldset per filter, a checkbox per value, with counts. */
  function renderFilters(counts, active) {
    groups.replaceChildren();
    for (const filter of FILTERS) {
      const chosen = new Set(active[filter] || []);
      let values = Object.entries(counts[filter] || {})
        .filter(([value, n]) => n > 0 || chosen.has(value));
      for (const value of chosen) if (!values.some(([v]) => v === value)) values.push([value, 0]);
      if (filter === "year") values.sort((a, b) => (a[0] < b[0] ? 1 : -1));
      else values.sort((a, b) => b[1] - a[1] || labelOf(filter, a[0]).localeCompare(labelOf(filter, b[0])));
      if (filter === "author") {
        values = values.filter(([v], k) => k < MAX_AUTHORS || chosen.has(v));
      }
      if (!values.length) continue;
      const set = document.createElement("fieldset");
      set.className = "kb-search-filter";
      const legend = document.createElement("legend");
      legend.textContent = FILTER_NAMES[filter];
      set.append(legend);
      for (const [value, n] of values) {
        const id = `kb-filter-${filter}-${value.replace(/[^A-Za-z0-9_-]/g, "_")}`;
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = filter;
        box.value = value;
        box.id = id;
        box.checked = chosen.has(value);
        const label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = `${labelOf(filter, value)} (${n})`;
        const row = document.createElement("div");
        row.className = "kb-search-filter-value";
        row.append(box, label);
        set.append(row);
      }
      groups.append(set);
    }
  }

  // --------------------------------------------------------------- search

  /** The manifest of the recent index: its segments, and the older entries they replace. */
  async function recentIndex() {
    try {
      const response = await fetch(new URL("pagefind/kb-recent.json", root), { cache: "no-cache" });
      return response.ok ? await response.json() : null;
    } catch (error) {
      return null;
    }
  }

  const loaded = new Map();
  let vocabularyMiss = false;
  let runBundles = null;  // what the search on the page ran on
  /** Pagefind over some bundles searched as one: the main index's shards that
   * may match and the recent index, or the headings index alone. */
  function loadPagefind(bundles) {
    const key = bundles.join(" ");
    if (!loaded.has(key)) {
      loaded.set(key, (async () => {
        const [first, ...others] = bundles.map((bundle) => new URL(bundle, root).href);
        const module = await import(`${first}pagefind.js`);
        // An instance of its own: another query may search other shards.
        const pagefind = module.createInstance({ basePath: first });
        await pagefind.options({ baseUrl: root.pathname, excerptLength: 30, ranking: RANKING });
        // In parallel: each merged index is registered before its first fetch.
        await Promise.all(others.map((other) => pagefind.mergeIndex(
          other, { baseUrl: root.pathname })));
        return pagefind;
      })());
    }
    return loaded.get(key);
  }

  /** The bundles a search runs on: the headings index, or the main index's
   * shards that may match and the recent index. */
  function searchBundles(headings, recent, words, infos) {
    if (headings) return [headings];
    return [...mainShards(recent, words, infos), ...recentBundles(recent)];
  }

  /** The recent index's segments, oldest first. */
  function recentBundles(recent) {
    return (recent && recent.bundles) || [];
  }

  /** Has any page changed since the main index (the headings index would be stale)? */
  function anyRecent(recent) {
    return recentBundles(recent).length > 0 || ((recent && recent.superseded) || []).length > 0;
  }

  /** The recent segments' vocabularies as one: {ids, words: Map(word -> pages)}. */
  async function recentVocabulary(recent) {
    const bundles = recentBundles(recent);
    if (!bundles.length) return null;
    const parts = await Promise.all(bundles.map((bundle) => getJSON(`${bundle}kb-words.json`)));
    const words = new Map();
    const ids = [];
    for (const part of parts) {
      if (!part) continue;
      ids.push(...part.ids);
      for (const [word, pages] of part.words) words.set(word, (words.get(word) || 0) + pages);
    }
    return { ids, words };
  }

  /** Does a whole vocabulary ({word: pages}) allow every query word? */
  function vocabularyAllows(words, vocab) {
    return words.every((word, i) => {
      const last = i === words.length - 1;
      if (vocab.has(word)) return true;
      if (!(last && word.length >= 3)) return false;
      for (const other of vocab.keys()) if (other.startsWith(word)) return true;
      return false;
    });
  }

  /** Page ids holding exactly ``word`` (or a word of the same stem). */
  async function exactPages(pagefind, word, filters) {
    const found = await pagefind.search(`"${word}"`, { filters });
    return new Set(found ? found.results.map((r) => r.id) : []);
  }

  async function showResults(results, start) {
    const batch = await Promise.all(results.slice(start, start + PAGE_SIZE).map((r) => r.data()));
    const items = batch.map(resultItem);
    list.append(...items);
    more.hidden = start + PAGE_SIZE >= results.length;
    return items;
  }

  function activeFilters(params) {
    const active = {};
    for (const filter of FILTERS) {
      const values = params.getAll(filter).map((v) => v.trim()).filter((v) => v);
      if (values.length) active[filter] = [...new Set(values)];
    }
    return active;
  }

  function pagefindFilters(active) {
    const out = {};
    for (const filter of Object.keys(active)) out[filter] = { any: active[filter] };
    return out;
  }

  /** The headings index answers first when every word is in headings and one is common. */
  async function headingsBundle(words, infos, recent) {
    const index = await vocabulary.index();
    if (!index || !index.headings || !infos || fullText) return null;
    if (anyRecent(recent)) return null;  // it would be stale
    const last = words.length - 1;
    const everyInHeadings = words.every((w, i) => inHeadings(infos[i], i === last, w));
    const someCommon = infos.some((info) => info.prefixPages > index.common);
    return everyInHeadings && someCommon ? index.headings : null;
  }

  /** Where a filter's essays are listed from: the headings index, unless stale. */
  async function listingBundle(recent) {
    const index = await vocabulary.index();
    if (!index || !index.headings) return null;
    if (anyRecent(recent)) return null;
    return index.headings;
  }

  /** "Only titles, authors and themes were searched": and a link to search all the text. */
  function showScope(query, active) {
    scope.replaceChildren();
    scope.append("These pages have the words in their title, authors or themes. ");
    const link = document.createElement("a");
    link.href = `${searchURL(query, active)}&text=1`;
    link.textContent = `Search the text of every page for ${quoted(query)}`;
    scope.append(link, " (a larger download).");
    scope.hidden = false;
  }

  async function run(query, active) {
    if (window.location.protocol === "file:") {
      summary.textContent = "Search works when the site is served by a web server, "
        + "not opened from files: for a local preview, run 'make serve'.";
      return;
    }
    const where = describeFilters(active);
    const what = query ? quoted(query) + (where ? ` ${where}` : "") : `essays ${where}`;
    summary.textContent = `Searching for ${what}\u2026`;
    const manifest = recentIndex();
    const words = queryWords(query);
    const recent = await manifest;
    const recentWords = recentVocabulary(recent);
    let infos = null;
    if (words.length) {
      infos = await lookUp(words);
      const recentVocab = await recentWords;
      const inRecent = recentVocab && vocabularyAllows(words, recentVocab.words);
      const inMain = infos && words.every((w, i) => allowed(infos[i], i === words.length - 1, w));
      if (infos && !inMain && !inRecent) {
        vocabularyMiss = true;
        summary.textContent = `No results for ${what}: no page has the word `
          + `${quoted(words.find((w, i) => !allowed(infos[i], i === words.length - 1, w)))}.`;
        showSuggestions(await suggestions(words, infos, 0), active);
        return;
      }
    }
    // A filter's essays, newest first, come from the headings index (it has the dates).
    const headings = words.length ? await headingsBundle(words, infos, recent)
      : await listingBundle(recent);
    runBundles = searchBundles(headings, recent, words, infos);
    if (!runBundles.length) {  // each word is in some shard, but no shard has them all
      summary.textContent = `No results for ${what}.`;
      showSuggestions(await suggestions(words, infos, 0), active);
      return;
    }
    let pagefind;
    try {
      pagefind = await loadPagefind(runBundles);
    } catch (error) {
      summary.textContent = "Search is not available: its index was not found on this site.";
      return;
    }
    const filtering = Object.keys(active).length > 0;
    if (filtering || panel.open) await pagefind.filters();
    const filters = pagefindFilters(active);
    const search = await pagefind.search(words.length ? words.join(" ") : null, {
      filters, sort: words.length ? {} : { date: "desc" },
    });
    let results = search ? search.results : [];
    // Drop what an index could only have found by Pagefind's prefix fallback.
    const recentVocab = await recentWords;
    if (words.length) {
      const recentIds = new Set(recentVocab && !headings ? recentVocab.ids : []);
      const recentOK = recentVocab ? vocabularyAllows(words, recentVocab.words) : false;
      const mainOK = !infos || words.every((w, i) => allowed(infos[i], i === words.length - 1, w));
      results = results.filter((r) => (recentIds.has(r.id) ? recentOK : mainOK));
      // A word that must occur as it is, but starts longer words too: keep
      // only the pages that have it (Pagefind's quoted search is exact).
      for (let i = 0; infos && i < words.length; i++) {
        const mustBeWhole = i < words.length - 1 || words[i].length < 3;
        if (mustBeWhole && (headings ? infos[i].extendedInHeadings : infos[i].extended)) {
          const exact = await exactPages(pagefind, words[i], filters);
          results = results.filter((r) => exact.has(r.id));
        }
      }
    }
    const hidden = new Set((recent && recent.superseded) || []);
    const seen = new Set();
    results = results.filter((r) => {
      if (hidden.has(r.id) || seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    });
    if (filtering || panel.open) renderFilters(search ? search.filters : {}, active);
    if (results.length === 0 && headings && words.length) {  // none in headings: search the text instead
      fullText = true;
      list.replaceChildren();
      return run(query, active);
    }
    if (results.length === 0) {
      summary.textContent = `No results for ${what}.`;
      if (infos) showSuggestions(await suggestions(words, infos, 0), active);
      return;
    }
    await showResults(results, 0);
    const noun = results.length === 1 ? "result" : "results";
    summary.textContent = `Found ${results.length} ${noun} for ${what}`
      + `${headings && words.length ? " in titles, authors and themes" : ""}.`;
    if (headings && words.length) showScope(query, active);
    if (infos && results.length <= 2) showSuggestions(await suggestions(words, infos, results.length), active);
    more.addEventListener("click", async () => {
      const shown = list.children.length;
      const items = await showResults(results, shown);
      // Keyboard and screen-reader users continue from the first new result.
      if (items.length) items[0].querySelector("a").focus();
    });
  }

  const params = new URLSearchParams(window.location.search);
  const query = (params.get("q") || "").trim();
  // ?text=1: search every page's text even for common words (a larger download).
  let fullText = params.get("text") === "1";
  if (fullText) {
    const keep = document.createElement("input");
    keep.type = "hidden";
    keep.name = "text";
    keep.value = "1";
    form.append(keep);
  }
  const active = activeFilters(params);
  input.value = query;
  for (const box of document.querySelectorAll("input.sidebar-search")) box.value = query;
  if (Object.keys(active).length) panel.open = true;
  let started = null;
  const start = () => {
    started = run(query, active).catch((error) => {
      summary.textContent = `Search failed: ${error.message || error}`;
    });
    return started;
  };
  panel.addEventListener("toggle", () => {
    // Opening the filters loads their counts: for the search on the page,
    // or for the whole site when there is none.
    if (!panel.open || groups.children.length) return;
    Promise.resolve(started).then(async () => {
      if (groups.children.length || vocabularyMiss || window.location.protocol === "file:") return;
      const bundles = runBundles || searchBundles(null, await recentIndex(), [], null);
      if (!bundles.length) return;
      const pagefind = await loadPagefind(bundles);
      const totals = await pagefind.filters();
      const words = queryWords(query);
      if (!words.length && !Object.keys(active).length) {
        renderFilters(totals, active);
        return;
      }
      const search = await pagefind.search(words.length ? words.join(" ") : null,
                                           { filters: pagefindFilters(active) });
      renderFilters(search ? search.filters : {}, active);
    }).catch(() => {});
  });
  form.addEventListener("submit", (event) => {
    if (!input.value.trim() && !form.querySelector("input[type=checkbox]:checked")) {
      event.preventDefault();
    }
  });
  if (query || Object.keys(active).length) {
    const where = describeFilters(active);
    document.title = `${query || where} - ${document.title}`;
    start();
  } else {
    summary.textContent = "Type words to search for: an essay's words, an author's name, a theme or a cited work.";
  }
})();
