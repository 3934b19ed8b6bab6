# Copies the console's sources and the module builds of its npm packages into
# the build tree (run by the `console` target: cmake -DSRC=... -DDST=... -P).
# Without the packages (scripts/setup installs them) the console is left out
# with a warning; the node then answers 404 for its files.
file(MAKE_DIRECTORY "${DST}/vendor")
file(GLOB sources "${SRC}/src/*")
file(COPY ${sources} DESTINATION "${DST}")
set(vendor
  "${SRC}/node_modules/preact/dist/preact.module.js"
  "${SRC}/node_modules/preact/hooks/dist/hooks.module.js"
  "${SRC}/node_modules/htm/dist/htm.module.js"
  "${SRC}/node_modules/uplot/dist/uPlot.esm.js"
  "${SRC}/node_modules/uplot/dist/uPlot.min.css")
foreach(f IN LISTS vendor)
  if(EXISTS "${f}")
    file(COPY "${f}" DESTINATION "${DST}/vendor")
  else()
    message(WARNING "console: ${f} is missing; run scripts/setup (npm ci in console/)")
  endif()
endforeach()
