export * from "./arbitrary.js";
export { forEachSeed, SeededRandom } from "./random.js";
