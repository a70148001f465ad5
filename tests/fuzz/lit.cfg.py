# Fuzz campaigns (fmc fuzz driving fmc-fuzz): same tools and substitutions
# as the FileCheck suite.
import os

lit_config.load_config(
    config, os.path.join(config.fmc_src_root, "tests", "lit", "lit.cfg.py")
)
config.name = "fmc-fuzz"
config.suffixes = [".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.fmc_obj_root, "tests", "fuzz")
config.substitutions.append(("%corpus", os.path.join(config.fmc_src_root, "fuzz", "corpus")))
