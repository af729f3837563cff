/*
 * search.js - the search page (search/): lunr.js + cp-tokenizer.js, sharded.
 *
 * Files, written by generator/search/ (paths.py):
 *   search/manifest.json            N shards, P doc-store parts, ref prefixes, heavy tokens
 *   search/site-index.<lang>.json   pages, notices, catalogue items, consultations; loaded whole
 *   search/shards/<n>.json          subjects and records, term-partitioned: token t lives in
 *                                   shard fnv1a32(t) % N (the hash is generator/search/shards.py's
 *                                   twin; tests/search/test_shards.py checks parity)
 *   search/docs/<k>.json            subjects' and records' display data, by fnv1a32(ref) % P
 *
 * A query is tokenized, its tokens grouped by shard, ONLY those shards fetched, each queried for
 * its own tokens (all required) and the refs intersected. Heavy tokens (in very many documents;
 * see shards.py) are not looked up but checked against the fetched display data instead.
 *
 * Names in the data are untrusted: everything is written with text nodes and <mark> elements,
 * never innerHTML. The core functions are exported for Node (tests); the page wiring only runs
 * in a browser that has the search form.
 */
(function (root, factory) {
  'use strict';
  var api = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = api;
  }
  if (root) {
    root.cpSearch = api;
    if (root.document) {
      api.start(root.document);
    }
  }
})(typeof window !== 'undefined' ? window : null, function (root) {
  'use strict';

  var FNV_OFFSET = 0x811c9dc5;
  var FNV_PRIME = 0x01000193;
  var SHOWN = 20; // subjects and records shown (and display data fetched) per batch
  var MAX_ROUNDS = 4; // batches of display data fetched while heavy tokens filter candidates
  var SNIPPET = 160; // characters of text around the first match
  var GROUPS = ['subject', 'record', 'item', 'consultation', 'page'];
  var GROUP_OF_KIND = {
    subject: 'subject',
    record: 'record',
    item: 'item',
    consultation: 'consultation',
    page: 'page',
    notice: 'page'
  };

  function has(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  // ---------------------------------------------------------------- routing

  // 32-bit FNV-1a over the UTF-8 bytes of str (tokens never hold lone surrogates).
  function fnv1a32(str) {
    var h = FNV_OFFSET;
    function feed(b) {
      h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
    }
    for (var i = 0; i < str.length; i++) {
      var cp = str.codePointAt(i);
      if (cp > 0xffff) {
        i++;
      }
      if (cp < 0x80) {
        feed(cp);
      } else if (cp < 0x800) {
        feed(0xc0 | (cp >> 6));
        feed(0x80 | (cp & 63));
      } else if (cp < 0x10000) {
        feed(0xe0 | (cp >> 12));
        feed(0x80 | ((cp >> 6) & 63));
        feed(0x80 | (cp & 63));
      } else {
        feed(0xf0 | (cp >> 18));
        feed(0x80 | ((cp >> 12) & 63));
        feed(0x80 | ((cp >> 6) & 63));
        feed(0x80 | (cp & 63));
      }
    }
    return h >>> 0;
  }

  function shardOf(token, shards) {
    return fnv1a32(token) % shards;
  }

  function unique(list) {
    var seen = Object.create(null);
    return list.filter(function (x) {
      if (seen[x]) {
        return false;
      }
      seen[x] = true;
      return true;
    });
  }

  // Which shards to fetch for these (distinct) tokens, and which tokens to check afterwards.
  function plan(tokens, manifest) {
    var heavy = manifest.heavy || {};
    var lookup = tokens.filter(function (t) {
      return !has(heavy, t);
    });
    var verify = tokens.filter(function (t) {
      return has(heavy, t);
    });
    var partial = false;
    if (lookup.length === 0 && verify.length > 0) {
      // Only heavy tokens: the rarest one's capped postings are the candidates.
      var rarest = verify.slice().sort(function (a, b) {
        return heavy[a] - heavy[b] || (a < b ? -1 : a > b ? 1 : 0);
      })[0];
      lookup = [rarest];
      verify = verify.filter(function (t) {
        return t !== rarest;
      });
      partial = true;
    }
    var byShard = {};
    lookup.forEach(function (t) {
      var s = shardOf(t, manifest.shards);
      (byShard[s] = byShard[s] || []).push(t);
    });
    var shards = Object.keys(byShard)
      .map(Number)
      .sort(function (a, b) {
        return a - b;
      })
      .map(function (s) {
        return { shard: s, tokens: byShard[s] };
      });
    return { shards: shards, verify: verify, partial: partial };
  }

  // Refs found in every shard's results, their scores summed; best first.
  function intersect(resultLists) {
    if (resultLists.length === 0) {
      return [];
    }
    var scores = Object.create(null);
    resultLists[0].forEach(function (r) {
      scores[r.ref] = r.score;
    });
    for (var i = 1; i < resultLists.length; i++) {
      var next = Object.create(null);
      resultLists[i].forEach(function (r) {
        if (scores[r.ref] !== undefined) {
          next[r.ref] = scores[r.ref] + r.score;
        }
      });
      scores = next;
    }
    return Object.keys(scores)
      .map(function (ref) {
        return { ref: ref, score: scores[ref] };
      })
      .sort(byScore);
  }

  function byScore(a, b) {
    return b.score - a.score || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
  }

  // A shard ref is "<group>.<ordinal>" in base 36; the group names its kind and list.
  function groupOfRef(ref, manifest) {
    var g = manifest.groups[parseInt(ref.slice(0, ref.indexOf('.')), 36)];
    return { kind: g[0], list: g[1] };
  }

  // What a subject or record is found by (generator/search/shardset.py: doc_tokens); a doc-store
  // entry is [title, url, text, codes], and a record's text is only its snippet.
  function entryTokens(entry, kind, tokenize) {
    var tokens = tokenize(entry[0]);
    if (kind !== 'record') {
      tokens = tokens.concat(tokenize(entry[2]));
    }
    entry[3].forEach(function (code) {
      tokens = tokens.concat(tokenize(code));
    });
    return tokens;
  }

  // ---------------------------------------------------------------- highlighting

  // Per code point NFKC + lower case, remembering where each normalised unit came from.
  function normalise(text) {
    var out = '';
    var from = [];
    var pos = 0;
    Array.from(text).forEach(function (ch) {
      var n = ch.normalize('NFKC').toLowerCase();
      for (var k = 0; k < n.length; k++) {
        from.push(pos);
      }
      out += n;
      pos += ch.length;
    });
    from.push(pos);
    return { text: out, from: from };
  }

  // The query's runs of Han characters and of [a-z0-9], as the tokenizer sees them.
  function pieces(query, isHan) {
    var chars = Array.from(query.normalize('NFKC').toLowerCase());
    var out = [];
    var run = '';
    var runHan = false;
    chars.forEach(function (ch) {
      var han = isHan(ch);
      var word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
      if ((han || word) && run && han === runHan) {
        run += ch;
        return;
      }
      if (run) {
        out.push({ text: run, han: runHan });
      }
      run = han || word ? ch : '';
      runHan = han;
    });
    if (run) {
      out.push({ text: run, han: runHan });
    }
    return out;
  }

  function findAll(haystack, needle, into) {
    var found = false;
    if (!needle) {
      return found;
    }
    var at = haystack.indexOf(needle);
    while (at !== -1) {
      into.push([at, at + needle.length]);
      found = true;
      at = haystack.indexOf(needle, at + needle.length);
    }
    return found;
  }

  // [start, end) ranges of text (UTF-16 offsets) to highlight for this query.
  function matchRanges(text, query, isHan) {
    if (!text) {
      return [];
    }
    var norm = normalise(text);
    var raw = [];
    pieces(query, isHan).forEach(function (p) {
      if (findAll(norm.text, p.text, raw) || !p.han) {
        return;
      }
      // A Han run found only in parts (every bigram matched, but not side by side).
      var chars = Array.from(p.text);
      for (var i = 0; i + 1 < chars.length; i++) {
        findAll(norm.text, chars[i] + chars[i + 1], raw);
      }
    });
    var ranges = raw
      .map(function (r) {
        return [norm.from[r[0]], norm.from[r[1]]];
      })
      .filter(function (r) {
        return r[1] > r[0];
      })
      .sort(function (a, b) {
        return a[0] - b[0] || a[1] - b[1];
      });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.push([r[0], r[1]]);
      }
    });
    return merged;
  }

  function isLowSurrogate(text, i) {
    var c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff;
  }

  // A window of text around the first match: {text, ranges, before, after}.
  function snippet(text, ranges, size) {
    size = size || SNIPPET;
    if (text.length <= size) {
      return { text: text, ranges: ranges, before: false, after: false };
    }
    var start = ranges.length ? Math.max(0, ranges[0][0] - Math.floor(size / 4)) : 0;
    var end = Math.min(text.length, start + size);
    start = Math.max(0, Math.min(start, end - size));
    if (start > 0 && isLowSurrogate(text, start)) {
      start++;
    }
    if (end < text.length && isLowSurrogate(text, end)) {
      end++;
    }
    var clipped = [];
    ranges.forEach(function (r) {
      var a = Math.max(r[0], start);
      var b = Math.min(r[1], end);
      if (b > a) {
        clipped.push([a - start, b - start]);
      }
    });
    return {
      text: text.slice(start, end),
      ranges: clipped,
      before: start > 0,
      after: end < text.length
    };
  }

  // Exact match of the whole query: the name or one of the codes, ignoring case and spaces.
  function compact(text) {
    return String(text || '')
      .normalize('NFKC')
      .toLowerCase()
      .replace(/\s+/g, '');
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return has(values, name) ? String(values[name]) : all;
    });
  }

  // ---------------------------------------------------------------- data

  function Data(base, lang, lunr, tok) {
    this.base = base;
    this.lang = lang;
    this.lunr = lunr;
    this.tok = tok;
    this.cache = Object.create(null); // path -> Promise
  }

  Data.prototype.json = function (path) {
    var self = this;
    if (!self.cache[path]) {
      self.cache[path] = fetch(self.base + path, { credentials: 'same-origin' }).then(
        function (response) {
          if (!response.ok) {
            throw new Error(path + ': HTTP ' + response.status);
          }
          return response.json();
        }
      );
      self.cache[path].catch(function () {
        delete self.cache[path]; // let a later search try again
      });
    }
    return self.cache[path];
  };

  Data.prototype.manifest = function () {
    return this.json('search/manifest.json');
  };

  Data.prototype.site = function () {
    var self = this;
    if (!self.sitePromise) {
      self.sitePromise = self.json('search/site-index.' + self.lang + '.json').then(function (data) {
        return { index: self.lunr.Index.load(data.index), docs: data.docs };
      });
      self.sitePromise.catch(function () {
        self.sitePromise = null;
      });
    }
    return self.sitePromise;
  };

  Data.prototype.shard = function (n) {
    var self = this;
    var key = 'shard:' + n;
    if (!self.cache[key]) {
      self.cache[key] = self.json('search/shards/' + n + '.json').then(function (data) {
        return self.lunr.Index.load(data);
      });
      self.cache[key].catch(function () {
        delete self.cache[key];
      });
    }
    return self.cache[key];
  };

  Data.prototype.entries = function (refs, manifest) {
    var self = this;
    var parts = unique(
      refs.map(function (ref) {
        return fnv1a32(ref) % manifest.parts;
      })
    );
    return Promise.all(
      parts.map(function (p) {
        return self.json('search/docs/' + p + '.json');
      })
    ).then(function (loaded) {
      var byPart = Object.create(null);
      parts.forEach(function (p, i) {
        byPart[p] = loaded[i];
      });
      var out = Object.create(null);
      refs.forEach(function (ref) {
        var part = byPart[fnv1a32(ref) % manifest.parts];
        if (part && has(part, ref)) {
          out[ref] = part[ref];
        }
      });
      return out;
    });
  };

  // The whole search. Resolves to null (nothing to search for) or
  // {site: hits, shard: hits, cursor, total, truncated, partial, lists}.
  // filters: {types: {group: bool} | null, list: '' | code}
  // early (optional) is called with the subjects and records found ({site: [], shard: hits,
  // ..., early: true}) if they are in before the site-wide index, which the first search of a
  // visit may still be loading: they are shown without waiting for it.
  function search(data, query, filters, early) {
    var tok = data.tok;
    var tokens = unique(tok.tokenize(query));
    if (tokens.length === 0) {
      return Promise.resolve(null);
    }
    // The shards start as soon as the (small) manifest is in, while the site index still loads.
    var sharded = data.manifest().then(function (manifest) {
      return shardSearch(data, manifest, tokens, filters).then(function (cursor) {
        return cursor.more(SHOWN).then(function () {
          return cursor;
        });
      });
    });
    // The site-wide index is loaded (parsed, and its term tree built: the most work of a first
    // search) once the subjects and records are found, not while: both run on the one main
    // thread, and the shards are the longer path (manifest, shards, then display data). Its file
    // is preloaded by the page meanwhile.
    var siteIn = false;
    var loadSite = function () {
      return data.site().then(function (loaded) {
        siteIn = true;
        return loaded;
      });
    };
    var site = sharded.then(loadSite, loadSite);
    if (early) {
      sharded.then(
        function (cursor) {
          if (!siteIn && cursor.hits.length) {
            var found = summarise({ site: [], cursor: cursor, lists: null });
            found.early = true;
            early(found);
          }
        },
        function () {}
      );
    }
    return Promise.all([data.manifest(), site, sharded]).then(function (loaded) {
      var manifest = loaded[0];
      var site = loaded[1];
      var siteHits = tok
        .query(site.index, query)
        .map(function (r) {
          var d = site.docs[r.ref];
          return {
            ref: r.ref,
            score: r.score,
            group: GROUP_OF_KIND[d.k] || 'page',
            kind: d.k,
            list: d.l || null,
            title: d.t,
            url: d.u,
            text: d.x,
            codes: d.c || []
          };
        })
        .filter(function (hit) {
          return keep(hit.group, hit.list, filters);
        });
      return summarise({ site: siteHits, cursor: loaded[2], lists: listCodes(manifest, site.docs) });
    });
  }

  // Counts and flags for what is shown so far (again after every "show more").
  function summarise(found) {
    var cursor = found.cursor;
    found.shard = cursor.hits;
    found.total = found.site.length + cursor.total();
    found.truncated = !cursor.done();
    found.partial = cursor.plan.partial;
    found.exactTotal = cursor.plan.verify.length === 0 && !cursor.plan.partial;
    return found;
  }

  // A hit's list is one list code, or for a subject on several lists their codes separated by
  // spaces (generator/lists/render.py: search_docs).
  function listsOf(list) {
    return list ? list.split(' ') : [];
  }

  function keep(group, list, filters) {
    if (filters.types && !filters.types[group]) {
      return false;
    }
    return !filters.list || listsOf(list).indexOf(filters.list) !== -1;
  }

  function listCodes(manifest, siteDocs) {
    var codes = [];
    manifest.groups.forEach(function (g) {
      codes = codes.concat(listsOf(g[1]));
    });
    Object.keys(siteDocs).forEach(function (ref) {
      codes = codes.concat(listsOf(siteDocs[ref].l));
    });
    return unique(codes).sort();
  }

  var NO_PLAN = { shards: [], verify: [], partial: false };

  // Subjects and records: the shards of the query's tokens, intersected, as a Cursor.
  function shardSearch(data, manifest, tokens, filters) {
    var wanted = ['subject', 'record'].some(function (kind) {
      return !filters.types || filters.types[kind];
    });
    var p = wanted ? plan(tokens, manifest) : NO_PLAN;
    if (p.shards.length === 0) {
      return Promise.resolve(new Cursor(data, manifest, [], p));
    }
    return Promise.all(
      p.shards.map(function (s) {
        return data.shard(s.shard).then(function (index) {
          return requiredQuery(data, index, s.tokens);
        });
      })
    ).then(function (lists) {
      var candidates = intersect(lists).filter(function (c) {
        var g = groupOfRef(c.ref, manifest);
        c.kind = g.kind;
        c.list = g.list;
        return keep(g.kind, g.list, filters);
      });
      return new Cursor(data, manifest, candidates, p);
    });
  }

  function requiredQuery(data, index, tokens) {
    var required = data.lunr.Query.presence.REQUIRED;
    return index.query(function (q) {
      tokens.forEach(function (t) {
        q.term(t, { usePipeline: false, presence: required });
      });
    });
  }

  // The candidates found in the shards, best first, and how far their display data is fetched.
  function Cursor(data, manifest, candidates, p) {
    this.data = data;
    this.manifest = manifest;
    this.candidates = candidates;
    this.plan = p;
    this.next = 0;
    this.hits = [];
  }

  Cursor.prototype.done = function () {
    return this.next >= this.candidates.length;
  };

  // With heavy tokens to check, only the candidates fetched so far are known to match.
  Cursor.prototype.total = function () {
    return this.plan.verify.length ? this.hits.length : this.candidates.length;
  };

  // Fetch display data for up to `count` more matches, checking heavy tokens; resolves to them.
  Cursor.prototype.more = function (count) {
    var self = this;
    var added = [];
    var rounds = 0;
    function round() {
      var batch = self.candidates.slice(self.next, self.next + count - added.length);
      self.next += batch.length;
      rounds++;
      var refs = batch.map(function (c) {
        return c.ref;
      });
      return self.data.entries(refs, self.manifest).then(function (entries) {
        batch.forEach(function (c) {
          var e = entries[c.ref];
          if (e && self.matches(c, e)) {
            added.push({
              ref: c.ref,
              score: c.score,
              group: c.kind,
              kind: c.kind,
              list: c.list,
              title: e[0],
              url: e[1],
              text: e[2],
              codes: e[3]
            });
          }
        });
        if (added.length < count && !self.done() && rounds < MAX_ROUNDS) {
          return round();
        }
        self.hits = self.hits.concat(added);
        return added;
      });
    }
    return self.done() ? Promise.resolve([]) : round();
  };

  Cursor.prototype.matches = function (candidate, entry) {
    var verify = this.plan.verify;
    if (verify.length === 0) {
      return true;
    }
    var have = Object.create(null);
    entryTokens(entry, candidate.kind, this.data.tok.tokenize).forEach(function (t) {
      have[t] = true;
    });
    return verify.every(function (t) {
      return have[t];
    });
  };

  // Exact name or code matches first, then by score.
  function rank(hits, query) {
    var q = compact(query);
    hits.forEach(function (h) {
      h.exact =
        compact(h.title) === q ||
        h.codes.some(function (c) {
          return compact(c) === q;
        });
    });
    return hits.slice().sort(function (a, b) {
      return b.exact - a.exact || byScore(a, b);
    });
  }

  // ---------------------------------------------------------------- page

  function appendMarked(doc, parent, text, ranges) {
    var at = 0;
    ranges.forEach(function (r) {
      if (r[0] > at) {
        parent.appendChild(doc.createTextNode(text.slice(at, r[0])));
      }
      var mark = doc.createElement('mark');
      mark.appendChild(doc.createTextNode(text.slice(r[0], r[1])));
      parent.appendChild(mark);
      at = r[1];
    });
    if (at < text.length) {
      parent.appendChild(doc.createTextNode(text.slice(at)));
    }
  }

  function Page(doc, form) {
    this.doc = doc;
    this.form = form;
    this.input = form.querySelector('input[name="q"]');
    this.results = doc.getElementById('search-results');
    this.status = doc.getElementById('search-status');
    this.none = doc.getElementById('search-none');
    this.listSelect = doc.getElementById('search-list');
    this.moreButton = doc.getElementById('search-more');
    this.msg = this.results.dataset;
    this.home = form.dataset.home;
    this.lang = form.dataset.lang;
    this.seq = 0;
    this.marked = 0; // the run whose first results are marked (cp-search-first)
    var tok = root.cpTokenizer;
    this.tok = tok;
    this.data = new Data(form.dataset.base, form.dataset.lang, tok.install(root.lunr), tok);
  }

  Page.prototype.filters = function () {
    var types = {};
    Array.prototype.forEach.call(this.form.querySelectorAll('input[name="type"]'), function (box) {
      types[box.value] = box.checked;
    });
    var select = this.listSelect;
    var list = select && select.dataset.filled ? select.value : this.wantedList || '';
    return { types: types, list: list };
  };

  Page.prototype.restore = function () {
    var params = new URLSearchParams(root.location.search);
    this.input.value = params.get('q') || '';
    var types = params.getAll('type');
    if (types.length) {
      Array.prototype.forEach.call(this.form.querySelectorAll('input[name="type"]'), function (box) {
        box.checked = types.indexOf(box.value) !== -1;
      });
    }
    this.wantedList = params.get('list') || '';
  };

  Page.prototype.remember = function () {
    var params = new URLSearchParams();
    var q = this.input.value.trim();
    if (q) {
      params.set('q', q);
    }
    var f = this.filters();
    var off = GROUPS.filter(function (g) {
      return has(f.types, g) && !f.types[g];
    });
    if (off.length) {
      GROUPS.forEach(function (g) {
        if (f.types[g]) {
          params.append('type', g);
        }
      });
    }
    if (f.list) {
      params.set('list', f.list);
    }
    var qs = params.toString();
    root.history.replaceState(null, '', root.location.pathname + (qs ? '?' + qs : ''));
  };

  Page.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Page.prototype.clear = function () {
    Array.prototype.forEach.call(this.results.querySelectorAll('.search-group'), function (g) {
      g.hidden = true;
      g.querySelector('ol').textContent = '';
    });
    this.none.hidden = true;
    this.moreButton.hidden = true;
  };

  Page.prototype.run = function () {
    var self = this;
    var query = self.input.value.trim();
    var seq = ++self.seq;
    self.remember();
    if (!query) {
      self.clear();
      self.results.dataset.state = 'idle';
      self.say('');
      return Promise.resolve();
    }
    if (self.tok.tokenize(query).length === 0) {
      self.clear();
      self.results.dataset.state = 'done';
      self.say(self.msg.msgShort);
      return Promise.resolve();
    }
    self.results.dataset.state = 'loading';
    self.results.setAttribute('aria-busy', 'true');
    self.say(self.msg.msgSearching);
    if (root.performance && root.performance.mark) {
      root.performance.mark('cp-search-start');
    }
    var early = function (found) {
      if (seq === self.seq) {
        self.show(query, found);
      }
    };
    return search(self.data, query, self.filters(), early).then(
      function (found) {
        if (seq !== self.seq) {
          return;
        }
        self.show(query, found);
      },
      function (error) {
        if (seq !== self.seq) {
          return;
        }
        self.clear();
        self.results.dataset.state = 'error';
        self.results.setAttribute('aria-busy', 'false');
        self.say(self.msg.msgError);
        if (root.console) {
          root.console.error(error);
        }
      }
    );
  };

  Page.prototype.fillLists = function (codes) {
    var select = this.listSelect;
    if (!select || select.dataset.filled) {
      return;
    }
    var wanted = this.wantedList;
    var doc = this.doc;
    codes.forEach(function (code) {
      var option = doc.createElement('option');
      option.value = code;
      option.textContent = code;
      select.appendChild(option);
    });
    select.dataset.filled = '1';
    if (wanted && codes.indexOf(wanted) !== -1) {
      select.value = wanted;
    }
  };

  Page.prototype.show = function (query, found) {
    var self = this;
    self.clear();
    var byGroup = {};
    rank(found.site, query)
      .concat(rank(found.shard, query))
      .forEach(function (hit) {
        (byGroup[hit.group] = byGroup[hit.group] || []).push(hit);
      });
    GROUPS.forEach(function (group) {
      var hits = byGroup[group];
      if (!hits) {
        return;
      }
      var section = self.results.querySelector('.search-group[data-group="' + group + '"]');
      section.querySelector('.search-count').textContent = fill(self.msg.msgCount, {
        n: hits.length
      });
      var list = section.querySelector('ol');
      hits.forEach(function (hit) {
        list.appendChild(self.item(hit, query));
      });
      section.hidden = false;
    });
    if (root.performance && root.performance.mark && self.marked !== self.seq) {
      self.marked = self.seq;
      root.performance.mark('cp-search-first');
    }
    if (found.early) {
      // The subjects and records, before the site-wide index is in: the search goes on (busy,
      // nothing announced yet); the full results replace these.
      return;
    }
    var shown = found.site.length + found.shard.length;
    var values = { n: found.total, q: query, shown: shown };
    var text;
    if (shown === 0) {
      self.none.hidden = false;
      text = fill(self.msg.msgNone, values);
    } else if (found.truncated && found.exactTotal) {
      text = fill(self.msg.msgSome, values);
    } else if (found.truncated || found.partial) {
      text = fill(self.msg.msgMore, values);
    } else {
      text = fill(shown === 1 ? self.msg.msgOne : self.msg.msgResults, values);
    }
    self.found = found;
    self.query = query;
    self.moreButton.hidden = !found.truncated;
    self.results.dataset.state = 'done';
    self.results.setAttribute('aria-busy', 'false');
    self.say(text);
    if (root.performance && root.performance.mark) {
      root.performance.mark('cp-search-done');
    }
  };

  // The next batch of subjects and records; focus moves to the first one added.
  Page.prototype.showMore = function () {
    var self = this;
    var found = self.found;
    var seq = self.seq;
    if (!found || !found.truncated) {
      return Promise.resolve();
    }
    self.moreButton.disabled = true;
    self.results.setAttribute('aria-busy', 'true');
    return found.cursor.more(SHOWN).then(
      function (added) {
        self.moreButton.disabled = false;
        if (seq !== self.seq) {
          return;
        }
        self.show(self.query, summarise(found));
        if (added.length) {
          var first = self.results.querySelector(
            '.search-result[data-ref="' + added[0].ref + '"] a'
          );
          if (first) {
            first.focus();
          }
        }
      },
      function (error) {
        self.moreButton.disabled = false;
        self.results.setAttribute('aria-busy', 'false');
        self.say(self.msg.msgError);
        if (root.console) {
          root.console.error(error);
        }
      }
    );
  };

  Page.prototype.item = function (hit, query) {
    var doc = this.doc;
    var isHan = this.tok.isHan;
    var li = doc.createElement('li');
    li.className = 'search-result' + (hit.exact ? ' search-exact' : '');
    li.dataset.kind = hit.kind;
    li.dataset.ref = hit.ref;
    var heading = doc.createElement('h3');
    var link = doc.createElement('a');
    link.href = this.home + hit.url;
    appendMarked(doc, link, hit.title, matchRanges(hit.title, query, isHan));
    // Subjects and records are in Chinese whatever the page's language (WCAG 3.1.2).
    var chinese = (hit.kind === 'subject' || hit.kind === 'record') && this.lang !== 'zh-CN';
    if (chinese) {
      link.lang = 'zh-CN';
    }
    heading.appendChild(link);
    li.appendChild(heading);
    var meta = [];
    var kindLabel = this.msg['msgKind' + hit.kind.charAt(0).toUpperCase() + hit.kind.slice(1)];
    if (kindLabel) {
      meta.push(kindLabel);
    }
    if (hit.list) {
      meta.push(fill(this.msg.msgList, { code: listsOf(hit.list).join(', ') }));
    }
    var codes = hit.codes.filter(function (c) {
      return hit.title.indexOf(c) === -1; // an item's code, a record's number: in the title
    });
    if (meta.length || codes.length) {
      var p = doc.createElement('p');
      p.className = 'search-meta';
      if (meta.length) {
        p.appendChild(doc.createTextNode(meta.join(' · ') + (codes.length ? ' · ' : '')));
      }
      codes.forEach(function (code, i) {
        var c = doc.createElement('span');
        c.className = 'search-code';
        appendMarked(doc, c, code, matchRanges(code, query, isHan));
        if (i) {
          p.appendChild(doc.createTextNode(' '));
        }
        p.appendChild(c);
      });
      li.appendChild(p);
    }
    if (hit.text) {
      var cut = snippet(hit.text, matchRanges(hit.text, query, isHan));
      var s = doc.createElement('p');
      s.className = 'search-snippet';
      if (chinese) {
        s.lang = 'zh-CN';
      }
      if (cut.before) {
        s.appendChild(doc.createTextNode('…'));
      }
      appendMarked(doc, s, cut.text, cut.ranges);
      if (cut.after) {
        s.appendChild(doc.createTextNode('…'));
      }
      li.appendChild(s);
    }
    return li;
  };

  function start(doc) {
    var form = doc.getElementById('search-form');
    if (!form || !root.lunr || !root.cpTokenizer || !root.fetch) {
      return; // not the search page, or a browser we cannot serve: the no-JS text stays
    }
    var page = new Page(doc, form);
    var nojs = doc.getElementById('search-nojs');
    if (nojs) {
      nojs.hidden = true;
    }
    Array.prototype.forEach.call(doc.querySelectorAll('[data-needs-js]'), function (el) {
      el.hidden = false;
    });
    page.restore();
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      page.run();
    });
    page.moreButton.addEventListener('click', function () {
      page.showMore();
    });
    form.addEventListener('change', function (event) {
      if (event.target.name === 'type' || event.target.name === 'list') {
        page.run();
      }
    });
    root.cpSearchPage = page;
    var running = page.run();
    // The small files load once the search in the address is done (or at once without one), to
    // fill the list filter; a search needs them anyway. Until then the filter uses the list
    // named in the address.
    running
      .then(function () {
        return Promise.all([page.data.manifest(), page.data.site()]);
      })
      .then(
        function (loaded) {
          page.fillLists(listCodes(loaded[0], loaded[1].docs));
        },
        function () {}
      );
    return running;
  }

  return {
    Data: Data,
    search: search,
    summarise: summarise,
    fnv1a32: fnv1a32,
    shardOf: shardOf,
    plan: plan,
    intersect: intersect,
    groupOfRef: groupOfRef,
    entryTokens: entryTokens,
    matchRanges: matchRanges,
    snippet: snippet,
    compact: compact,
    rank: rank,
    fill: fill,
    start: start
  };
});
