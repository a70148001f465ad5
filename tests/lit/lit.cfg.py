# lit configuration for fmc's FileCheck tests.
import os

import lit.formats

config.name = "fmc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.fmc_obj_root, "tests", "lit")

tool_dirs = [
    os.path.join(config.fmc_obj_root, "tools", "fmc"),
    os.path.join(config.fmc_obj_root, "tools", "fmc-opt"),
    config.llvm_tools_dir,
]
config.environment["PATH"] = os.pathsep.join(
    tool_dirs + [config.environment.get("PATH", os.environ.get("PATH", ""))]
)
config.substitutions.append(("%examples", os.path.join(config.fmc_src_root, "examples")))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
