// The bundle's entry (dist/action/index.js serves both `main` and `post`; see entry.ts).
import { createEnginePort } from './engine-adapter.js'
import { runEntry } from './entry.js'

void runEntry(createEnginePort())
