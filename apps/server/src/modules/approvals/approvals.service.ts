/** The approvals use cases the HTTP routes call (one per route). */
export { decideRequest, getRequestDetail, listRequests, withdrawRequest } from './use-cases/inbox.js';
export { commentPublicApproval, createLink, decidePublicApproval, listLinks, revokeLink, viewPublicApproval } from './use-cases/links.js';
export { createComment, deleteComment, listComments } from './use-cases/comments.js';
