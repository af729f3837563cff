/*
 * cp-tokenizer.js - the portal's shared search tokenizer, browser side.
 *
 * Line-for-line twin of generator/search/tokenizer.py (read its module
 * docstring for the rules); tests/search/test_tokenizer_parity.py checks that
 * both produce identical tokens. Change one, change the other.
 *
 * Plain script, no build step. In the browser it defines window.cpTokenizer;
 * under Node (module.exports present) it exports the same object.
 *
 *   cpTokenizer.tokenize(text)        -> string[]
 *   cpTokenizer.install(lunr)         registers the 'cpTokenKeep' pipeline
 *                                     function, needed by lunr.Index.load for
 *                                     indexes built by lunr.py; returns lunr
 *   cpTokenizer.query(index, text)    -> lunr results; every distinct token is
 *                                     a REQUIRED term, bypassing lunr's query
 *                                     parser and search pipeline, no wildcard
 *                                     or edit distance; [] if no tokens
 *   cpTokenizer.PIPELINE_LABEL        'cpTokenKeep'
 */
(function (root, factory) {
  'use strict';
  var api = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = api;
  }
  if (root) {
    root.cpTokenizer = api;
  }
})(
  typeof window !== 'undefined' ? window : typeof self !== 'undefined' ? self : null,
  function (root) {
    'use strict';

    var PIPELINE_LABEL = 'cpTokenKeep';
    var DOCNO_PREFIX_MAX = 8;
    var OPEN = { '(': true, '[': true, '\u3014': true, '\u3010': true }; // ( [ 〔 【
    var CLOSE = { ')': true, ']': true, '\u3015': true, '\u3011': true }; // ) ] 〕 】
    var HAO = '\u53f7'; // 号
    var DOCNO = 0; // sort rank: document-number tokens first at equal offsets
    var ORDINARY = 1;

    // ch: one code point (an element of Array.from(string)).
    function isHan(ch) {
      var cp = ch.codePointAt(0);
      return (
        cp === 0x3007 ||
        (cp >= 0x3400 && cp <= 0x4dbf) ||
        (cp >= 0x4e00 && cp <= 0x9fff) ||
        (cp >= 0xf900 && cp <= 0xfaff) ||
        (cp >= 0x20000 && cp <= 0x3ffff)
      );
    }

    function isWord(ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    }

    function isDigit(ch) {
      return ch >= '0' && ch <= '9';
    }

    function slice(chars, from, to) {
      return chars.slice(from, to).join('');
    }

    function emitDocno(chars, i, emit) {
      var n = chars.length;
      if (i + 5 >= n || !CLOSE[chars[i + 5]]) {
        return;
      }
      for (var d = i + 1; d < i + 5; d++) {
        if (!isDigit(chars[d])) {
          return;
        }
      }
      var start = i;
      while (start > 0 && i - start < DOCNO_PREFIX_MAX && isHan(chars[start - 1])) {
        start -= 1;
      }
      var j = i + 6;
      while (j < n && (isHan(chars[j]) || isWord(chars[j]))) {
        j += 1;
        if (chars[j - 1] === HAO) {
          break;
        }
      }
      var core = '\u3014' + slice(chars, i + 1, i + 5) + '\u3015' + slice(chars, i + 6, j);
      for (var k = start; k <= i; k++) {
        emit(k, DOCNO, slice(chars, k, i) + core);
      }
      // Boundary unigrams: Han characters at either end of the number that the
      // ordinary rules merged into a longer run with neighbouring text.
      if (i >= 2 && isHan(chars[i - 1]) && isHan(chars[i - 2])) {
        emit(i - 1, DOCNO, chars[i - 1]);
      }
      if (
        chars[j - 1] === HAO &&
        j < n &&
        isHan(chars[j]) &&
        !(j - 2 >= i + 6 && isHan(chars[j - 2]))
      ) {
        emit(j - 1, DOCNO, HAO);
      }
    }

    function tokenize(text) {
      var str = text === null || text === undefined ? '' : String(text);
      var chars = Array.from(str.normalize('NFKC').toLowerCase());
      var n = chars.length;
      var found = []; // [start, rank, seq, token]

      function emit(start, rank, token) {
        found.push([start, rank, found.length, token]);
      }

      var i = 0;
      while (i < n) {
        var ch = chars[i];
        var j;
        if (isWord(ch)) {
          j = i + 1;
          while (j < n && isWord(chars[j])) {
            j += 1;
          }
          emit(i, ORDINARY, slice(chars, i, j));
          i = j;
        } else if (isHan(ch)) {
          j = i + 1;
          while (j < n && isHan(chars[j])) {
            j += 1;
          }
          if (j - i === 1) {
            emit(i, ORDINARY, ch);
          } else {
            for (var k = i; k < j - 1; k++) {
              emit(k, ORDINARY, chars[k] + chars[k + 1]);
            }
          }
          i = j;
        } else {
          if (OPEN[ch]) {
            emitDocno(chars, i, emit);
          }
          i += 1;
        }
      }

      found.sort(function (a, b) {
        return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
      });
      return found.map(function (entry) {
        return entry[3];
      });
    }

    function keep(token) {
      return token;
    }

    var installed = null;

    function resolveLunr(lunr) {
      var l = lunr || installed || (root && root.lunr);
      if (!l || !l.Pipeline || !l.Query) {
        throw new Error('cpTokenizer: lunr is not available; call cpTokenizer.install(lunr)');
      }
      return l;
    }

    function install(lunr) {
      var l = resolveLunr(lunr);
      // Idempotent (also if this script was loaded twice): registering again
      // would only make lunr warn "Overwriting existing registered function".
      if (!l.Pipeline.registeredFunctions[PIPELINE_LABEL]) {
        l.Pipeline.registerFunction(keep, PIPELINE_LABEL);
      }
      installed = l;
      return l;
    }

    function unique(tokens) {
      var seen = Object.create(null);
      return tokens.filter(function (t) {
        if (seen[t]) {
          return false;
        }
        seen[t] = true;
        return true;
      });
    }

    function query(index, text) {
      var tokens = unique(tokenize(text));
      if (tokens.length === 0) {
        return []; // lunr would treat a clause-less query as "match everything"
      }
      var required = resolveLunr().Query.presence.REQUIRED;
      return index.query(function (q) {
        tokens.forEach(function (t) {
          // A fresh options object per term: lunr mutates it into the clause.
          q.term(t, { usePipeline: false, presence: required });
        });
      });
    }

    return {
      PIPELINE_LABEL: PIPELINE_LABEL,
      DOCNO_PREFIX_MAX: DOCNO_PREFIX_MAX,
      tokenize: tokenize,
      install: install,
      query: query,
      pipelineFunction: keep,
      isHan: isHan
    };
  }
);
