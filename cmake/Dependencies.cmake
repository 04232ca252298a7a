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
# The node's HTTP API (api/). Debian's cpp-httplib is a compiled library: its .pc file carries the
# defines (OpenSSL, zlib, brotli support) the header must be compiled with to match it.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)   # PkgConfig::HTTPLIB
find_package(nlohmann_json 3 REQUIRED)   # nlohmann_json::nlohmann_json (API bodies; simdjson stays on the tick path)

# CAF 0.17.6 (Debian) ships no CMake config and no .pc file: hand-made imported targets.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIB caf_core REQUIRED)
add_library(CAF::core SHARED IMPORTED)
set_target_properties(CAF::core PROPERTIES IMPORTED_LOCATION "${CAF_CORE_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)

# The Binance adapter and its loopback simulator: TLS and HMAC, REST, websockets.
find_package(OpenSSL REQUIRED)        # OpenSSL::SSL, OpenSSL::Crypto
find_package(CURL REQUIRED)           # CURL::libcurl
find_package(websocketpp REQUIRED)    # websocketpp::websocketpp (headers only)
# websocketpp 0.8.2 does not compile as C++20 (a template-id on constructors and destructors,
# CWG2237). Three patched copies of its headers in the build tree shadow /usr/include/websocketpp
# (../shared/toolchain.md); the packaged files stay untouched.
set(_wspp_overlay "${CMAKE_BINARY_DIR}/wspp_cxx20")
set(_wspp_fixes
  "endpoint.hpp|~endpoint<connection,config>()|~endpoint()"
  "roles/server_endpoint.hpp|~server<config>()|~server()"
  "roles/server_endpoint.hpp|    server<config>(server<config> &|    server(server<config> &"
  "logger/basic.hpp|    basic<concurrency,names>(|    basic("
  "logger/basic.hpp|~basic<concurrency,names>()|~basic()")
foreach(_f endpoint.hpp roles/server_endpoint.hpp logger/basic.hpp)
  file(READ "${WEBSOCKETPP_INCLUDE_DIR}/websocketpp/${_f}" _content)
  foreach(_fix IN LISTS _wspp_fixes)
    string(REPLACE "|" ";" _fix "${_fix}")
    list(GET _fix 0 _file)
    list(GET _fix 1 _from)
    list(GET _fix 2 _to)
    if(_file STREQUAL _f)
      string(REPLACE "${_from}" "${_to}" _content "${_content}")
    endif()
  endforeach()
  file(WRITE "${_wspp_overlay}/websocketpp/${_f}" "${_content}")
endforeach()
add_library(ptp_websocketpp INTERFACE)
target_include_directories(ptp_websocketpp SYSTEM BEFORE INTERFACE "${_wspp_overlay}")
target_compile_definitions(ptp_websocketpp INTERFACE ASIO_STANDALONE)
target_link_libraries(ptp_websocketpp INTERFACE websocketpp::websocketpp OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
