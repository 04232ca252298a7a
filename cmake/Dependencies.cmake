# Every dependency comes from a Debian 12 package (scripts/setup.sh installs them).
# Only what is linked today is looked up here.
find_package(Threads REQUIRED)
find_package(tomlplusplus REQUIRED)   # tomlplusplus::tomlplusplus (shared library build)
find_package(spdlog REQUIRED)         # spdlog::spdlog (uses the packaged fmt)
find_package(simdjson REQUIRED)       # simdjson::simdjson
find_package(SQLite3 REQUIRED)        # SQLite::SQLite3, only for the original design's side-by-side benchmark
find_package(Catch2 2 REQUIRED)       # Catch2::Catch2WithMain; adds catch_discover_tests
include(Catch)

find_package(PkgConfig REQUIRED)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)   # PkgConfig::LMDB

# CAF 0.17.6 (Debian) ships no CMake config and no .pc file: hand-made imported targets.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIB caf_core REQUIRED)
add_library(CAF::core SHARED IMPORTED)
set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
