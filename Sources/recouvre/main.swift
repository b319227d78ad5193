import RecouvreStore; import RecouvreServer; import ArgumentParser; print("x")
