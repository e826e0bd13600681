export { createApp, NoopApp } from "./noopApp.js";
