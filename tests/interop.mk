# interop suites (owner: interop)
