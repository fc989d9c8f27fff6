// localStorage under one prefix; the page keeps working (and forgets) when storage is disabled.
import { STORE } from "./settings.js";

export const storage = {
  key: (key) => STORE + key,
  get(key) {
    try {
      return JSON.parse(localStorage.getItem(STORE + key) ?? "null");
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value === null || value === undefined) localStorage.removeItem(STORE + key);
      else localStorage.setItem(STORE + key, JSON.stringify(value));
    } catch {
      // Storage full or disabled (private mode): the page still works, it just forgets.
    }
  },
};
