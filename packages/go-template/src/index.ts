export { renderTemplate, type TemplateContext, TemplateError } from './template.ts';
