//===- Sandbox.cpp - Replaying a case in a child process ------------------===//
#include "fuzz/Sandbox.h"

#include "fuzz/Case.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fm::fuzz {

namespace {

/// Lines the child writes to the report pipe.
constexpr llvm::StringLiteral kStagePrefix = "stage ";
constexpr llvm::StringLiteral kResultPrefix = "result ";

void writeAll(int fd, llvm::StringRef bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written <= 0)
      return;
    bytes = bytes.drop_front(written);
  }
}

class StageReporter : public ReplayObserver {
public:
  explicit StageReporter(int fd) : fd(fd) {}
  void enterStage(llvm::StringRef stage) override {
    writeAll(fd, (kStagePrefix + stage + "\n").str());
  }

private:
  int fd;
};

[[noreturn]] void runChild(llvm::StringRef caseText, uint64_t seed,
                           int reportFd) {
  StageReporter reporter(reportFd);
  Outcome outcome;
  llvm::Expected<FuzzCase> fuzzCase = parseCase(caseText, "case.fmz");
  if (fuzzCase) {
    outcome = replay(*fuzzCase, "case.fmz", seed, &reporter);
  } else {
    outcome = {Verdict::Rejected, "case", toString(fuzzCase.takeError()), ""};
  }
  writeAll(reportFd, (kResultPrefix + llvm::Twine(int(outcome.verdict)) + " " +
                      outcome.oracle + " " + bugSignature(outcome) + "\n" +
                      outcome.message)
                         .str());
  ::close(reportFd);
  // Skip static destructors: the parent's state is not the child's to
  // tear down.
  ::_exit(0);
}

/// The function of the first stack frame in fmc's own code in a
/// sanitizer's ("#3 0x... in fm::X::y(...) /path/file.cpp:1") or LLVM's
/// ("#3 0x... fm::X::y(...) file.cpp:0:0") stack trace in `output`: not in
/// a shared library (MLIR, LLVM, libc), the fuzz harness or the crash
/// reporting itself. "" when there is none.
std::string firstFmFrame(llvm::StringRef output) {
  llvm::SmallVector<llvm::StringRef> lines;
  output.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    line = line.trim();
    if (!line.starts_with("#"))
      continue;
    // "#N 0xADDRESS [in ]FUNCTION LOCATION"
    llvm::StringRef function = line.split(' ').second.split(' ').second;
    function.consume_front("in ");
    if (function.empty() || (function.starts_with("(") &&
                             !function.starts_with("(anonymous namespace)")))
      continue;
    // The replaying code (fuzz/) is on every stack, under the frame that
    // tells bugs apart.
    if (line.contains(".so") || line.contains("/usr/") ||
        line.contains("/lib/x86_64-linux-gnu/") || line.contains("/fuzz/") ||
        line.contains("fuzz::") || function.starts_with("llvm::") ||
        function.starts_with("__") || function.starts_with("fuzzer::") ||
        function.starts_with("raise") || function.starts_with("abort"))
      continue;
    function.consume_front("(anonymous namespace)::");
    return function.take_until([](char c) { return c == '(' || c == ' '; })
        .str();
  }
  return "";
}

/// The sanitizer that reported in `output`, as a bug kind, or "".
std::string sanitizerKind(llvm::StringRef output) {
  size_t at = output.find("ERROR: AddressSanitizer: ");
  if (at != llvm::StringRef::npos)
    return "asan:" +
           output.drop_front(at + 25)
               .take_until([](char c) { return c == ' ' || c == '\n'; })
               .str();
  if (output.contains("runtime error:"))
    return "ubsan";
  if (output.contains("ERROR: LeakSanitizer"))
    return "lsan";
  return "";
}

} // namespace

SandboxOutcome replayInChild(llvm::StringRef caseText, uint64_t seed,
                             unsigned timeoutSeconds) {
  int report[2], output[2];
  if (::pipe(report) != 0 || ::pipe(output) != 0)
    return {Verdict::Rejected, "", "", "cannot create a pipe"};
  pid_t child = ::fork();
  if (child < 0)
    return {Verdict::Rejected, "", "", "cannot fork"};
  if (child == 0) {
    ::close(report[0]);
    ::close(output[0]);
    ::dup2(output[1], STDERR_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    runChild(caseText, seed, report[1]);
  }
  ::close(report[1]);
  ::close(output[1]);

  std::string reportText, outputText;
  pollfd fds[2] = {{report[0], POLLIN, 0}, {output[0], POLLIN, 0}};
  std::string *sinks[2] = {&reportText, &outputText};
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  bool timedOut = false;
  for (int open = 2; open > 0;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timedOut = true;
      ::kill(child, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) <= 0)
      continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
        continue;
      char buffer[4096];
      ssize_t got = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (got > 0) {
        // A chatty child must not grow the parent without bound.
        if (sinks[i]->size() < (1 << 20))
          sinks[i]->append(buffer, got);
        continue;
      }
      ::close(fds[i].fd);
      fds[i].fd = -1;
      --open;
    }
  }
  for (pollfd &fd : fds)
    if (fd.fd >= 0)
      ::close(fd.fd);
  int status = 0;
  ::waitpid(child, &status, 0);

  // The last stage the child entered, and its verdict if it got that far.
  std::string stage = "start";
  llvm::StringRef rest = reportText;
  while (!rest.empty()) {
    auto [line, next] = rest.split('\n');
    if (line.consume_front(kResultPrefix)) {
      llvm::SmallVector<llvm::StringRef, 3> fields;
      line.split(fields, ' ', 2);
      SandboxOutcome outcome;
      int verdict = 0;
      llvm::to_integer(fields[0], verdict);
      outcome.verdict = static_cast<Verdict>(verdict);
      if (outcome.verdict == Verdict::Bug) {
        outcome.kind = fields.size() > 1 ? fields[1].str() : "";
        outcome.signature = fields.size() > 2 ? fields[2].str() : "";
      }
      outcome.message = next.str();
      return outcome;
    }
    if (line.consume_front(kStagePrefix))
      stage = line.str();
    rest = next;
  }

  SandboxOutcome outcome;
  outcome.verdict = Verdict::Bug;
  if (timedOut) {
    outcome.kind = "timeout";
  } else if (WIFSIGNALED(status)) {
    outcome.kind = sanitizerKind(outputText);
    if (outcome.kind.empty())
      outcome.kind = "crash";
  } else {
    outcome.kind = sanitizerKind(outputText);
    if (outcome.kind.empty())
      outcome.kind = "exit-" + std::to_string(WEXITSTATUS(status));
  }
  outcome.signature = outcome.kind + ":" + stage;
  if (std::string frame = firstFmFrame(outputText); !frame.empty())
    outcome.signature += "@" + frame;
  if (WIFSIGNALED(status) && !timedOut)
    outcome.message = std::string("killed by ") + strsignal(WTERMSIG(status));
  else if (timedOut)
    outcome.message =
        "still running after " + std::to_string(timeoutSeconds) + " s";
  outcome.message += " in stage '" + stage + "'";
  // The end of its output: the sanitizer's report or the stack trace.
  llvm::StringRef tail = outputText;
  if (tail.size() > 4000)
    tail = tail.take_back(4000);
  if (!tail.empty())
    outcome.message += "\n" + tail.str();
  return outcome;
}

} // namespace fm::fuzz
