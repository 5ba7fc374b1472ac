export {
  AdmissionBody,
  type AdmissionRequest,
  RANK_LEVELS,
  type Rank,
  toAdmissionRequest,
} from './request.ts';
export { AdmissionAnswer } from './response.ts';
