// The UI's entry point: styles, then the start screen.
import "./styles.css";
import { api } from "./api";
import { start } from "./app";

const container = document.getElementById("app");
if (container) {
  void start(container).then(() =>
    requestAnimationFrame(() => requestAnimationFrame(() => void api.uiReady().catch(() => {}))),
  );
}
