export { pinned } from "../versions";
