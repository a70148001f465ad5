//===- Artifact.cpp - Loaded artifacts and their functions ----------------===//

#include "Artifact.h"

#include "fmrt/Status.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fmrt::detail {

namespace {

constexpr const char *kManifestSymbol = "fmc_artifact_manifest";

using ManifestFunction = const char *(*)();

std::string shapeText(const Shape &shape) {
  return shape.empty() ? "[]" : formatShape(shape);
}

/// Closes a file descriptor on scope exit.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      close(fd_);
  }
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &operator=(const FileDescriptor &) = delete;
  int get() const { return fd_; }

private:
  int fd_;
};

bool readAt(int fd, void *out, uint64_t size, uint64_t offset) {
  return pread(fd, out, size, static_cast<off_t>(offset)) ==
         static_cast<ssize_t>(size);
}

/// Checks that `fd` holds a 64-bit ELF shared object whose headers, and
/// everything they point at, lie inside the file. dlopen maps segments
/// without comparing them to the file's size, and touching a mapped page
/// past the end of a file raises SIGBUS: a truncated artifact would crash
/// the process instead of failing to load.
Status checkSharedObject(int fd, uint64_t fileSize) {
  Elf64_Ehdr header;
  if (fileSize < SELFMAG || !readAt(fd, header.e_ident, SELFMAG, 0) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return Status::error("not an ELF file");
  if (fileSize < sizeof(header) || !readAt(fd, &header, sizeof(header), 0))
    return Status::error("truncated ELF file: " + std::to_string(fileSize) +
                         " bytes, shorter than an ELF header");
  if (header.e_ident[EI_CLASS] != ELFCLASS64)
    return Status::error("not a 64-bit ELF file");
  if (header.e_type != ET_DYN)
    return Status::error("not a shared object (ELF type " +
                         std::to_string(header.e_type) + ")");
  auto truncated = [&](const std::string &what, uint64_t offset,
                       uint64_t size) {
    return Status::error("truncated shared object: " + what + " spans bytes [" +
                         std::to_string(offset) + ", " +
                         std::to_string(offset + size) + ") but the file has " +
                         std::to_string(fileSize));
  };
  auto inFile = [&](uint64_t offset, uint64_t size) {
    return offset <= fileSize && size <= fileSize - offset;
  };
  const uint64_t tableSize =
      static_cast<uint64_t>(header.e_phnum) * header.e_phentsize;
  if (header.e_phentsize != sizeof(Elf64_Phdr))
    return Status::error("corrupt shared object: program header size " +
                         std::to_string(header.e_phentsize));
  if (!inFile(header.e_phoff, tableSize))
    return truncated("the program header table", header.e_phoff, tableSize);
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (!readAt(fd, &segment, sizeof(segment),
                header.e_phoff + uint64_t{i} * sizeof(segment)))
      return Status::error(std::string("read error: ") + std::strerror(errno));
    if (!inFile(segment.p_offset, segment.p_filesz))
      return truncated("segment " + std::to_string(i), segment.p_offset,
                       segment.p_filesz);
  }
  // Nothing at run time reads the section headers, but they come last in
  // the file: a file cut anywhere after its segments is caught here.
  const uint64_t sectionsSize =
      static_cast<uint64_t>(header.e_shnum) * header.e_shentsize;
  if (header.e_shoff != 0 && !inFile(header.e_shoff, sectionsSize))
    return truncated("the section header table", header.e_shoff, sectionsSize);
  return Status::success();
}

/// dlopen searches the library path for a name without a slash; a file
/// name is meant relative to the working directory.
std::string dlopenPath(const std::string &path) {
  return path.find('/') == std::string::npos ? "./" + path : path;
}

} // namespace

ApiStatus checkType(const std::string &what, const Tensor &tensor,
                    const ValueSpec &spec) {
  if (tensor.dtype() != spec.dtype)
    return ApiStatus::error(
        FMRT_DTYPE_MISMATCH,
        what + " has dtype " + std::string(dtypeName(tensor.dtype())) +
            ", expected " + std::string(dtypeName(spec.dtype)));
  if (tensor.shape() != spec.shape)
    return ApiStatus::error(FMRT_SHAPE_MISMATCH,
                            what + " has shape " + shapeText(tensor.shape()) +
                                ", expected " + shapeText(spec.shape));
  return ApiStatus::success();
}

fmrt_status loadErrorCode(const std::string &path) {
  FileDescriptor fd(open(path.c_str(), O_RDONLY));
  return fd.get() < 0 ? FMRT_IO_ERROR : FMRT_FORMAT_ERROR;
}

ApiStatus Function::check(const std::vector<const Tensor *> &inputs,
                          const std::vector<const Tensor *> &outputs) const {
  auto invalid = [&](const std::string &message) {
    return ApiStatus::error(FMRT_INVALID_ARGUMENT, spec_.name + ": " + message);
  };
  if (inputs.size() != spec_.args.size())
    return invalid("expected " + std::to_string(spec_.args.size()) +
                   " inputs, got " + std::to_string(inputs.size()));
  if (outputs.size() != spec_.results.size())
    return invalid("expected " + std::to_string(spec_.results.size()) +
                   " outputs, got " + std::to_string(outputs.size()));
  auto describe = [](const char *kind, size_t index, const ValueSpec &spec) {
    return std::string(kind) + " #" + std::to_string(index) + " ('" +
           spec.name + "')";
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string input = describe("input", i, spec_.args[i]);
    if (!inputs[i])
      return invalid(input + " is null");
    if (ApiStatus s =
            checkType(spec_.name + ": " + input, *inputs[i], spec_.args[i]);
        !s.ok())
      return s;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i])
      continue;
    const std::string output = describe("output", i, spec_.results[i]);
    if (ApiStatus s = checkType(spec_.name + ": " + output, *outputs[i],
                                spec_.results[i]);
        !s.ok())
      return s;
    // The compiled code may read an input after writing an output, and
    // writes every output: none may share a buffer with another operand.
    for (size_t j = 0; j < inputs.size(); ++j)
      if (inputs[j] == outputs[i])
        return invalid(output + " is also input #" + std::to_string(j));
    for (size_t j = 0; j < i; ++j)
      if (outputs[j] == outputs[i])
        return invalid(output + " is also output #" + std::to_string(j));
  }
  return ApiStatus::success();
}

ApiStatus Function::call(const std::vector<const Tensor *> &inputs,
                         const std::vector<Tensor *> &outputs) const {
  if (ApiStatus s = check(
          inputs, std::vector<const Tensor *>(outputs.begin(), outputs.end()));
      !s.ok())
    return s;
  callEntry(entry_, inputs, outputs);
  return ApiStatus::success();
}

void Artifact::LibraryCloser::operator()(void *handle) const {
  dlclose(handle);
}

ApiResult<std::shared_ptr<const Artifact>>
Artifact::load(const std::string &path) {
  auto fail = [&](fmrt_status code, const std::string &message) {
    return ApiStatus::error(code, path + ": " + message);
  };
  {
    FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
      return fail(FMRT_IO_ERROR,
                  std::string("cannot open file: ") + std::strerror(errno));
    struct stat info;
    if (fstat(fd.get(), &info) != 0)
      return fail(FMRT_IO_ERROR,
                  std::string("cannot stat file: ") + std::strerror(errno));
    if (!S_ISREG(info.st_mode))
      return fail(FMRT_IO_ERROR, "not a regular file");
    if (Status s = checkSharedObject(fd.get(), info.st_size); !s.ok())
      return fail(FMRT_FORMAT_ERROR, s.message());
  }

  // RTLD_NOW: an artifact that needs a symbol nobody provides fails here,
  // with dlerror's message, rather than at its first call. RTLD_LOCAL: two
  // artifacts may export the same entry symbols.
  std::shared_ptr<Artifact> artifact(new Artifact());
  artifact->library_.reset(
      dlopen(dlopenPath(path).c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!artifact->library_)
    return fail(FMRT_FORMAT_ERROR,
                std::string("cannot load the shared object: ") + dlerror());
  void *library = artifact->library_.get();

  auto manifestFunction =
      reinterpret_cast<ManifestFunction>(dlsym(library, kManifestSymbol));
  if (!manifestFunction)
    return fail(FMRT_FORMAT_ERROR, std::string("not an fmc artifact: no '") +
                                       kManifestSymbol + "' symbol");
  const char *json = manifestFunction();
  if (!json)
    return fail(FMRT_FORMAT_ERROR,
                std::string(kManifestSymbol) + "() returned null");
  artifact->manifestJson_ = json;
  ApiResult<Manifest> manifest = parseManifest(artifact->manifestJson_);
  if (!manifest)
    return fail(manifest.status().code(), manifest.status().message());
  artifact->manifest_ = manifest.take();

  for (const FunctionSpec &spec : artifact->manifest_.functions) {
    auto entry =
        reinterpret_cast<EntryFunction>(dlsym(library, spec.symbol.c_str()));
    if (!entry)
      return fail(FMRT_NOT_FOUND, "function '" + spec.name + "': symbol '" +
                                      spec.symbol +
                                      "' is not defined by the artifact");
    artifact->functions_.emplace_back(spec, entry);
  }
  return std::shared_ptr<const Artifact>(std::move(artifact));
}

ApiResult<const Function *> Artifact::function(std::string_view name) const {
  std::string known;
  for (const Function &function : functions_) {
    if (function.spec().name == name)
      return &function;
    known += (known.empty() ? "'" : ", '") + function.spec().name + "'";
  }
  return ApiStatus::error(FMRT_NOT_FOUND, "the artifact has no function '" +
                                              std::string(name) + "' (it has " +
                                              (known.empty() ? "none" : known) +
                                              ")");
}

} // namespace fmrt::detail
