/* fuzz target: being written */
