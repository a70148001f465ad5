//===- NewCommand.cpp - `fmc new`: generate a model's fm program ----------===//
#include "tools/fmc/Commands.h"

#include "ir/Registration.h"
#include "models/ModelGenerator.h"

#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace fmc {

cl::SubCommand newCommand("new",
                          "Generate the forward graph and loss of a model "
                          "(mlp or gpt) as an fm program");

// The help texts quote the library's defaults so that they cannot drift.
static const fm::MlpConfig mlpDefaults;
static const fm::GptConfig gptDefaults;

static std::string help(StringRef text, int64_t defaultValue) {
  return (text + " (default: " + Twine(defaultValue) + ")").str();
}

static const std::string batchHelp =
    ("Batch size (default: " + Twine(mlpDefaults.batch) + " for mlp, " +
     Twine(gptDefaults.batch) + " for gpt)")
        .str();
static const std::string hiddenHelp =
    ("mlp: hidden layer width (default: " + Twine(mlpDefaults.hidden) +
     "); gpt: MLP width of each block (default: 4 * dim)")
        .str();
static const std::string inputHelp =
    help("mlp: input features", mlpDefaults.input);
static const std::string classesHelp =
    help("mlp: number of classes", mlpDefaults.classes);
static const std::string layersHelp =
    help("gpt: number of transformer blocks", gptDefaults.layers);
static const std::string dimHelp =
    help("gpt: model width, a multiple of --heads", gptDefaults.dim);
static const std::string headsHelp =
    help("gpt: attention heads", gptDefaults.heads);
static const std::string seqHelp =
    help("gpt: context length (tokens per sequence)", gptDefaults.seq);
static const std::string vocabHelp =
    help("gpt: vocabulary size", gptDefaults.vocab);

static cl::opt<std::string> modelKind(cl::Positional, cl::Required,
                                      cl::desc("<mlp | gpt>"),
                                      cl::sub(newCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("path"), cl::init("-"), cl::sub(newCommand),
               cl::cat(getCommandCategory()));
static cl::opt<int64_t> batch("batch", cl::desc(batchHelp), cl::value_desc("N"),
                              cl::sub(newCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<int64_t> hidden("hidden", cl::desc(hiddenHelp),
                               cl::value_desc("N"), cl::sub(newCommand),
                               cl::cat(getCommandCategory()));
static cl::opt<int64_t> input("input", cl::desc(inputHelp), cl::value_desc("N"),
                              cl::sub(newCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<int64_t> classes("classes", cl::desc(classesHelp),
                                cl::value_desc("N"), cl::sub(newCommand),
                                cl::cat(getCommandCategory()));
static cl::opt<int64_t> layers("layers", cl::desc(layersHelp),
                               cl::value_desc("N"), cl::sub(newCommand),
                               cl::cat(getCommandCategory()));
static cl::opt<int64_t> dim("dim", cl::desc(dimHelp), cl::value_desc("N"),
                            cl::sub(newCommand), cl::cat(getCommandCategory()));
static cl::opt<int64_t> heads("heads", cl::desc(headsHelp), cl::value_desc("N"),
                              cl::sub(newCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<int64_t> seq("seq", cl::desc(seqHelp), cl::value_desc("N"),
                            cl::sub(newCommand), cl::cat(getCommandCategory()));
static cl::opt<int64_t> vocab("vocab", cl::desc(vocabHelp), cl::value_desc("N"),
                              cl::sub(newCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<bool>
    tied("tied",
         cl::desc("gpt: compute the logits with the token embedding wte "
                  "(transposed) instead of a separate lm_head.weight "
                  "(default: off)"),
         cl::sub(newCommand), cl::cat(getCommandCategory()));
static cl::opt<bool>
    bf16("bf16",
         cl::desc("gpt: parameters and activations in bf16; the "
                  "cross-entropy loss stays f32 (default: f32)"),
         cl::sub(newCommand), cl::cat(getCommandCategory()));
static cl::opt<bool> printDebugInfo(
    "mlir-print-debuginfo",
    cl::desc("Print each op's location, which names the model part it "
             "belongs to, e.g. loc(\"h0.attn.softmax\") (default: off)"),
    cl::sub(newCommand), cl::cat(getCommandCategory()));

static void reportError(const Twine &message) {
  WithColor::error(errs(), "fmc new") << message << "\n";
}

/// Overrides `field` when `option` was given on the command line.
static void applyOption(int64_t &field, const cl::opt<int64_t> &option) {
  if (option.getNumOccurrences())
    field = option;
}

/// Fails, naming the first of `options` that was given: it belongs to the
/// other model.
static bool rejectOptions(StringRef kind,
                          std::initializer_list<const cl::Option *> options) {
  for (const cl::Option *option : options) {
    if (option->getNumOccurrences()) {
      reportError("--" + option->ArgStr + " does not apply to '" + kind + "'");
      return true;
    }
  }
  return false;
}

/// The module, or null after reporting why there is none.
static mlir::OwningOpRef<mlir::ModuleOp>
takeModule(Expected<mlir::OwningOpRef<mlir::ModuleOp>> module) {
  if (module)
    return std::move(*module);
  reportError("invalid " + modelKind +
              " configuration: " + toString(module.takeError()));
  return nullptr;
}

/// MLIR cannot print comments, so this header goes before the module: a
/// canonical command that regenerates the file (every size explicit, so it
/// also documents them) and the model's description.
static std::string formatHeader(const Twine &command, StringRef description) {
  std::string header = ("// Generated by: " + command + "\n//\n").str();
  for (StringRef line : split(description.rtrim(), '\n')) {
    // No trailing blank after "//" on empty lines.
    header += line.empty() ? "//" : "// ";
    header += line;
    header += "\n";
  }
  return header;
}

static mlir::OwningOpRef<mlir::ModuleOp> newMlp(mlir::MLIRContext &context,
                                                std::string &header) {
  if (rejectOptions("mlp", {&layers, &dim, &heads, &seq, &vocab, &tied, &bf16}))
    return nullptr;
  fm::MlpConfig config;
  applyOption(config.batch, batch);
  applyOption(config.input, input);
  applyOption(config.hidden, hidden);
  applyOption(config.classes, classes);
  header = formatHeader(formatv("fmc new mlp --batch {0} --input {1} "
                                "--hidden {2} --classes {3}",
                                config.batch, config.input, config.hidden,
                                config.classes),
                        fm::describeModel(config));
  return takeModule(fm::generateMlp(context, config));
}

static mlir::OwningOpRef<mlir::ModuleOp> newGpt(mlir::MLIRContext &context,
                                                std::string &header) {
  if (rejectOptions("gpt", {&input, &classes}))
    return nullptr;
  fm::GptConfig config;
  applyOption(config.layers, layers);
  applyOption(config.dim, dim);
  applyOption(config.heads, heads);
  applyOption(config.seq, seq);
  applyOption(config.vocab, vocab);
  applyOption(config.batch, batch);
  applyOption(config.hidden, hidden);
  config.tiedEmbeddings = tied;
  config.bf16 = bf16;
  header = formatHeader(
      formatv("fmc new gpt --layers {0} --dim {1} --heads {2} --seq {3} "
              "--vocab {4} --batch {5} --hidden {6}{7}{8}",
              config.layers, config.dim, config.heads, config.seq, config.vocab,
              config.batch, config.getHidden(),
              config.tiedEmbeddings ? " --tied" : "",
              config.bf16 ? " --bf16" : ""),
      fm::describeModel(config));
  return takeModule(fm::generateGpt(context, config));
}

int runNewCommand() {
  mlir::DialectRegistry registry;
  fm::registerFmcDialects(registry);
  mlir::MLIRContext context(registry);
  std::string header;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (modelKind == "mlp") {
    module = newMlp(context, header);
  } else if (modelKind == "gpt") {
    module = newGpt(context, header);
  } else {
    reportError("unknown model '" + modelKind + "' (expected 'mlp' or 'gpt')");
    return 1;
  }
  if (!module)
    return 1;

  // Opened only now, so that a failed generation leaves no file behind.
  std::string message;
  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &message);
  if (!output) {
    reportError(message);
    return 1;
  }
  // No verification here: the generator returns only verified modules.
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(printDebugInfo);
  output->os() << header << "\n";
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}

} // namespace fmc
