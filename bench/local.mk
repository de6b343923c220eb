# bench (owner: bench)
