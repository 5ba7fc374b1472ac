// The server serves uPlot's ES module at ./vendor/uplot.js; this gives it the package's types.
export { default } from 'uplot';
