# Third-party dependencies, all from Debian 12 packages (scripts/setup installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# CAF 0.17.6 ships no CMake or pkg-config files: imported targets by hand.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(CAF::core SHARED IMPORTED)
set_target_properties(CAF::core PROPERTIES
  IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
add_library(CAF::io SHARED IMPORTED)
set_target_properties(CAF::io PROPERTIES
  IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
  INTERFACE_LINK_LIBRARIES CAF::core)
# Node-to-node TLS (caf/openssl/ includes <openssl/ssl.h>).
find_package(OpenSSL REQUIRED)
find_library(CAF_OPENSSL_LIBRARY caf_openssl REQUIRED)
add_library(CAF::openssl SHARED IMPORTED)
set_target_properties(CAF::openssl PROPERTIES
  IMPORTED_LOCATION "${CAF_OPENSSL_LIBRARY}"
  INTERFACE_LINK_LIBRARIES "CAF::io;OpenSSL::SSL")

pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)
pkg_check_modules(RABBITMQ REQUIRED IMPORTED_TARGET librabbitmq)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)        # Kinesis (SigV4 signing)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)   # segment blocks: zstd
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)     # ... and lz4 (the default)
pkg_check_modules(SIMDJSON REQUIRED IMPORTED_TARGET simdjson)
pkg_check_modules(SPDLOG REQUIRED IMPORTED_TARGET spdlog)
# cpp-httplib is a split build in Debian: its .pc Cflags must be used or class layouts
# differ from the shared library.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # tests' HTTP client
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)    # the HTTP server
find_package(RapidJSON CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(roaring CONFIG REQUIRED)
find_package(doctest CONFIG REQUIRED)

# One precompiled header for every target that includes CAF.
add_library(sv_caf_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/pch.cpp)
target_link_libraries(sv_caf_pch PUBLIC CAF::core)
target_precompile_headers(sv_caf_pch PUBLIC <caf/all.hpp>)

# Usage: sv_use_caf_pch(target) — compile target with the shared CAF PCH.
function(sv_use_caf_pch target)
  target_link_libraries(${target} PUBLIC CAF::core)
  target_precompile_headers(${target} REUSE_FROM sv_caf_pch)
endfunction()
