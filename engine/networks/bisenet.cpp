// placeholder: filled in by the engine-foundation work
