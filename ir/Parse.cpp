//===- Parse.cpp - How fmc reads the programs it is given -----------------===//
#include "ir/Parse.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/ToolUtilities.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <string>

using namespace mlir;

namespace fm {

namespace {

/// What MLIR's lexer skips between tokens within a line: it reads a NUL
/// that is not the end of the buffer as a blank too.
bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\0'; }

bool isNameChar(char c) {
  return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.' || c == '-';
}

/// What LLVM 19's parser would not survive, at `at`, with an optional note.
struct ParserHazard {
  const char *at;
  std::string message;
  const char *noteAt = nullptr;
  std::string note;
};

/// Deeper nesting overflows the parser's recursive descent on an 8-MiB stack
/// (type lists in parentheses recurse through several frames per level);
/// fmc's programs nest a few levels.
constexpr unsigned kMaxNesting = 256;

/// The lexical scan behind checkParserHazards: regions are brace pairs, and
/// each use of a name not yet defined in an enclosing region waits for its
/// definition, which must then be in a region enclosing the use; brackets
/// of every kind count towards the nesting limit.
class ParserHazardScanner {
public:
  explicit ParserHazardScanner(llvm::StringRef text) : text(text) {
    regionParents.push_back(-1);
    open.push_back(OpenRegion{0, 0, -1, {}});
  }

  std::optional<ParserHazard> scan() {
    while (pos < text.size() && !hazard)
      step();
    return hazard;
  }

private:
  struct OpenRegion {
    int id;
    /// Parentheses open inside this region, and the depth whose group
    /// holds a block's arguments (`^bb0(%x: f32)`), or -1.
    int parens;
    int blockArgumentParens;
    llvm::SmallVector<llvm::StringRef> defined;
  };
  struct PendingUse {
    int region;
    const char *at;
  };

  char peek(size_t offset = 0) const {
    return pos + offset < text.size() ? text[pos + offset] : '\0';
  }
  const char *at(size_t offset) const { return text.data() + offset; }
  /// Where the line holding `offset` ends (a comment's end).
  size_t lineEnd(size_t offset) const {
    return std::min(text.find('\n', offset), text.size());
  }

  /// Skips what separates two tokens: blanks, line breaks and comments.
  void skipBlanks(size_t &cursor) const {
    while (cursor < text.size()) {
      if (isBlank(text[cursor]) || text[cursor] == '\n') {
        ++cursor;
      } else if (text.substr(cursor).starts_with("//")) {
        cursor = lineEnd(cursor);
      } else {
        return;
      }
    }
  }
  /// Whether only blanks separate `offset` from the start of its line (or
  /// from a `{` opening a region on the same line).
  bool startsStatement(size_t offset) const {
    while (offset > 0 && isBlank(text[offset - 1]))
      --offset;
    return offset == 0 || text[offset - 1] == '\n' || text[offset - 1] == '{';
  }
  size_t nameEnd(size_t start) const {
    while (start < text.size() && isNameChar(text[start]))
      ++start;
    return start;
  }
  bool isAssignment(size_t cursor) const {
    return cursor < text.size() && text[cursor] == '=' &&
           (cursor + 1 >= text.size() || text[cursor + 1] != '=');
  }
  /// The word that ends just before `offset`, skipping blanks.
  llvm::StringRef wordBefore(size_t offset) const {
    while (offset > 0 && isBlank(text[offset - 1]))
      --offset;
    size_t start = offset;
    while (start > 0 && isNameChar(text[start - 1]))
      --start;
    return text.slice(start, offset);
  }

  /// Whether the parenthesis at `paren` follows a block label that starts
  /// a statement: `^bb0(`.
  bool opensBlockArguments(size_t paren) const {
    size_t start = paren;
    while (start > 0 && isNameChar(text[start - 1]))
      --start;
    return start < paren && start > 0 && text[start - 1] == '^' &&
           startsStatement(start - 1);
  }

  static std::string undefinedUseMessage(llvm::StringRef name) {
    return ("value '%" + name +
            "' is used before its definition, which is in a region that "
            "does not enclose this use")
        .str();
  }

  bool encloses(int region, int inner) const {
    for (; inner != -1; inner = regionParents[inner])
      if (inner == region)
        return true;
    return false;
  }

  /// Reports the first use waiting for `name` that `region` does not
  /// enclose. Alone, for the argument of the region that follows, defined
  /// before it opens (`scf.for %i =`): that region is inside the current
  /// one, so the uses must be too, and they keep waiting for it.
  void checkUsesWithin(llvm::StringRef name, const char *where,
                       const OpenRegion &region) {
    auto waiting = pending.find(name);
    if (waiting == pending.end())
      return;
    for (const PendingUse &use : waiting->second)
      if (!encloses(region.id, use.region)) {
        hazard = ParserHazard{use.at, undefinedUseMessage(name), where,
                              "defined here"};
        return;
      }
  }

  void define(llvm::StringRef name, const char *where, OpenRegion &region) {
    checkUsesWithin(name, where, region);
    if (hazard)
      return;
    pending.erase(name);
    region.defined.push_back(name);
    ++visible[name];
  }

  void use(llvm::StringRef name, const char *where) {
    auto found = visible.find(name);
    if (found == visible.end() || found->second == 0)
      pending[name].push_back(PendingUse{open.back().id, where});
  }

  void openRegion() {
    // Arguments written before the brace (a function's signature, a loop's
    // induction variable) belong to the region it opens; an attribute
    // dictionary's braces inside parentheses or after `attributes` get none.
    OpenRegion &outer = open.back();
    bool takesArguments = outer.parens == 0 && wordBefore(pos) != "attributes";
    int id = regionParents.size();
    regionParents.push_back(outer.id);
    open.push_back(OpenRegion{id, 0, -1, {}});
    if (!takesArguments)
      return;
    for (auto [name, where] : nextRegionArguments)
      if (!hazard)
        define(name, where, open.back());
    nextRegionArguments.clear();
  }

  void closeRegion() {
    if (open.size() == 1)
      return;
    for (llvm::StringRef name : open.back().defined)
      --visible[name];
    open.pop_back();
  }

  /// Whether `%` at `offset` follows the name of an op in custom form
  /// (`scf.for %i =`), whose `%x =` names the argument of the region it
  /// opens; after a type (`index`, `!llvm.ptr`), an op ends and `%x =`
  /// defines the next op's result.
  bool followsCustomOpName(size_t offset) const {
    llvm::StringRef word = wordBefore(offset);
    if (!word.contains('.'))
      return false;
    size_t wordStart = word.data() - text.data();
    return wordStart == 0 ||
           !llvm::StringRef("!#@^%").contains(text[wordStart - 1]);
  }

  /// `%a, %b:2 =`: an op's results, defined in the current region, or the
  /// arguments of the region that follows the op (followsCustomOpName),
  /// defined when it opens.
  bool scanResults(size_t start) {
    llvm::SmallVector<std::pair<llvm::StringRef, const char *>> names;
    size_t cursor = start;
    while (true) {
      if (cursor >= text.size() || text[cursor] != '%')
        return false;
      size_t end = nameEnd(cursor + 1);
      if (end == cursor + 1)
        return false;
      names.push_back({text.slice(cursor + 1, end), at(cursor)});
      cursor = end;
      if (cursor < text.size() && text[cursor] == ':') {
        size_t digits = cursor + 1;
        while (digits < text.size() && llvm::isDigit(text[digits]))
          ++digits;
        if (digits == cursor + 1)
          return false;
        cursor = digits;
      }
      skipBlanks(cursor);
      if (cursor < text.size() && text[cursor] == ',') {
        ++cursor;
        skipBlanks(cursor);
        continue;
      }
      if (!isAssignment(cursor))
        return false;
      if (startsStatement(start) || !followsCustomOpName(start)) {
        // A new statement: arguments of an op without a region are stale.
        nextRegionArguments.clear();
        for (auto [name, where] : names)
          if (!hazard)
            define(name, where, open.back());
      } else {
        for (auto [name, where] : names) {
          if (!hazard)
            checkUsesWithin(name, where, open.back());
          nextRegionArguments.push_back({name, where});
        }
      }
      pos = cursor + 1;
      return true;
    }
  }

  void scanValueName() {
    size_t start = pos;
    size_t end = nameEnd(pos + 1);
    if (end == pos + 1) {
      ++pos;
      return;
    }
    OpenRegion &region = open.back();
    if (region.parens == 0 && scanResults(start))
      return;
    llvm::StringRef name = text.slice(start + 1, end);
    pos = end;
    size_t cursor = end;
    skipBlanks(cursor);
    bool typedInParens =
        region.parens > 0 && cursor < text.size() && text[cursor] == ':';
    if (typedInParens && region.blockArgumentParens == region.parens) {
      define(name, at(start), region);
    } else if (typedInParens || isAssignment(cursor)) {
      nextRegionArguments.push_back({name, at(start)});
    } else {
      use(name, at(start));
    }
  }

  /// Counts `c` if it opens or closes a bracket. `>` in `->` and `>=` does
  /// not close one.
  void trackNesting(char c) {
    if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++nesting > kMaxNesting)
        hazard = ParserHazard{at(pos),
                              "brackets nest deeper than " +
                                  std::to_string(kMaxNesting) + " levels",
                              nullptr, ""};
    } else if ((c == ')' || c == ']' || c == '}' ||
                (c == '>' && (pos == 0 || text[pos - 1] != '-') &&
                 peek(1) != '=')) &&
               nesting > 0) {
      --nesting;
    }
  }

  void step() {
    char c = peek();
    trackNesting(c);
    OpenRegion &region = open.back();
    switch (c) {
    case '/':
      if (peek(1) == '/') {
        pos = lineEnd(pos);
        return;
      }
      break;
    case '"':
      for (++pos; pos < text.size() && text[pos] != '"'; ++pos)
        if (text[pos] == '\\')
          ++pos;
      break;
    case '{':
      openRegion();
      break;
    case '}':
      closeRegion();
      break;
    case '(':
      ++region.parens;
      if (region.parens == 1 && opensBlockArguments(pos))
        region.blockArgumentParens = 1;
      break;
    case ')':
      if (region.parens > 0) {
        if (region.blockArgumentParens == region.parens)
          region.blockArgumentParens = -1;
        --region.parens;
      }
      break;
    case '%':
      scanValueName();
      return;
    default:
      break;
    }
    ++pos;
  }

  llvm::StringRef text;
  size_t pos = 0;
  /// Every region seen, by id: its enclosing region (-1 for the file).
  std::vector<int> regionParents;
  /// The regions still open, innermost last.
  llvm::SmallVector<OpenRegion> open;
  /// How many open regions define each name.
  llvm::StringMap<unsigned> visible;
  /// Uses of names not defined yet, as the parser's forward references.
  llvm::StringMap<llvm::SmallVector<PendingUse, 1>> pending;
  llvm::SmallVector<std::pair<llvm::StringRef, const char *>>
      nextRegionArguments;
  /// Brackets open here, of every kind.
  unsigned nesting = 0;
  std::optional<ParserHazard> hazard;
};

Location locationOf(llvm::SourceMgr &sourceMgr, const char *where,
                    MLIRContext *context) {
  llvm::SMLoc loc = llvm::SMLoc::getFromPointer(where);
  unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, buffer);
  return FileLineColLoc::get(
      context, sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier(), line,
      column);
}

} // namespace

LogicalResult checkParserHazards(llvm::SourceMgr &sourceMgr,
                                 MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  if (isBytecode(buffer->getMemBufferRef()))
    return success();
  std::optional<ParserHazard> hazard =
      ParserHazardScanner(buffer->getBuffer()).scan();
  if (!hazard)
    return success();
  InFlightDiagnostic diagnostic =
      emitError(locationOf(sourceMgr, hazard->at, context)) << hazard->message;
  if (hazard->noteAt)
    diagnostic.attachNote(locationOf(sourceMgr, hazard->noteAt, context))
        << hazard->note;
  return failure();
}

LogicalResult checkParserHazardsInChunks(llvm::MemoryBufferRef buffer,
                                         llvm::StringRef splitMarker,
                                         MLIRContext *context) {
  std::string unused;
  llvm::raw_string_ostream sink(unused);
  return splitAndProcessBuffer(
      llvm::MemoryBuffer::getMemBuffer(buffer,
                                       /*RequiresNullTerminator=*/false),
      [&](std::unique_ptr<llvm::MemoryBuffer> chunk, llvm::raw_ostream &) {
        llvm::SourceMgr sourceMgr;
        sourceMgr.AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
        SourceMgrDiagnosticHandler handler(sourceMgr, context);
        return checkParserHazards(sourceMgr, context);
      },
      sink, splitMarker);
}

OwningOpRef<ModuleOp> parseModule(llvm::SourceMgr &sourceMgr,
                                  MLIRContext *context) {
  if (failed(checkParserHazards(sourceMgr, context)))
    return nullptr;
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(context));
}

OwningOpRef<ModuleOp> parseModule(llvm::StringRef text, MLIRContext *context,
                                  llvm::StringRef bufferName) {
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, bufferName,
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  return parseModule(sourceMgr, context);
}

} // namespace fm
