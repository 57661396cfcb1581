/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
var __webpack_exports__ = {};

const [command] = process.argv.slice(2);
process.stderr.write(`cutover: '${command ?? ''}' is not implemented yet\n`);
process.exit(2);

module.exports = __webpack_exports__;
/******/ })()
;