# End-to-end tests: real training runs and their numbers. Same tools and
# substitutions as the FileCheck suite.
import os

lit_config.load_config(
    config, os.path.join(config.fmc_src_root, "tests", "lit", "lit.cfg.py")
)
config.name = "fmc-e2e"
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.fmc_obj_root, "tests", "e2e")
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%check-loss", config.python_executable + " " + os.path.join(config.test_source_root, "check_loss.py"))
)
