// ChatGPT's conversations.json and Open WebUI's chat export, read into our shape. Both keep a tree of messages:
// ChatGPT as `mapping` (node id → {message, parent, children}) with `current_node`; Open WebUI as
// `chat.history.messages` (id → {parentId, childrenIds, role, content, model, timestamp}) with `history.currentId`.
// Nodes we do not show (ChatGPT's empty root, system and tool messages, hidden context, tool calls; Open WebUI's
// system messages) are skipped and their children hang from the nearest kept ancestor, so branches stay branches.
import { cleanImportedTitle, conversationName, ImportError, isObject, modelName, readTime, readUsage, type ImportMessage, type ImportThread } from './import-model.ts';
import { tr, type Text } from '../../i18n/text.ts';

type Node = { parent: string | null; keep: ImportMessage | null };

/** The nearest kept node at or above `id` (null at the root); loops end at the mapping's size. */
function keptAt(nodes: Map<string, Node>, id: string | null): string | null {
  for (let steps = 0, at = id; at !== null && steps <= nodes.size; steps++) {
    const n = nodes.get(at);
    if (!n) return null;
    if (n.keep) return at;
    at = n.parent;
  }
  return null;
}

function linkKept(nodes: Map<string, Node>, current: string | null): { messages: ImportMessage[]; currentKey: string | null } {
  const messages: ImportMessage[] = [];
  for (const n of nodes.values()) {
    if (n.keep) messages.push({ ...n.keep, parentKey: keptAt(nodes, n.parent) });
  }
  return { messages, currentKey: current === null ? null : keptAt(nodes, current) };
}

/** ChatGPT: the text of a message we show, or null for one we skip. */
function chatGptText(m: Record<string, unknown>, where: Text): string | null {
  const author = isObject(m.author) ? m.author : {};
  if (author.role !== 'user' && author.role !== 'assistant') return null; // system, tool
  const meta = isObject(m.metadata) ? m.metadata : {};
  if (meta.is_visually_hidden_from_conversation === true) return null;
  if (m.recipient !== undefined && m.recipient !== null && m.recipient !== 'all') return null; // a call to a tool
  if (!isObject(m.content)) throw new ImportError(tr('transfer:bad.its', { where, name: 'content', what: tr('transfer:what.missing') }));
  const type = m.content.content_type;
  if (type !== undefined && type !== 'text' && type !== 'multimodal_text') return null; // code, thoughts, browsing…
  const parts = m.content.parts;
  if (!Array.isArray(parts)) {
    if (typeof m.content.text === 'string') return m.content.text;
    throw new ImportError(tr('transfer:bad.its', { where, name: 'content.parts', what: tr('transfer:what.notAList') }));
  }
  // Images and files are objects (asset pointers): only the text parts are kept.
  const text = parts.filter((p): p is string => typeof p === 'string').join('\n');
  return text.trim() ? text : null;
}

export function readChatGpt(item: unknown, i: number): ImportThread {
  if (!isObject(item) || !isObject(item.mapping)) throw new ImportError(tr('transfer:bad.field', { where: conversationName(i, isObject(item) ? item.title : null), field: tr('transfer:field.named', { name: 'mapping' }), what: tr('transfer:what.missingOrNotObject') }));
  const where = conversationName(i, item.title);
  const created = readTime(item.create_time, 's') ?? new Date();
  const nodes = new Map<string, Node>();
  for (const [id, raw] of Object.entries(item.mapping)) {
    const nodeWhere = tr('transfer:where.node', { where, id: id.slice(0, 80) });
    if (!isObject(raw)) throw new ImportError(tr('transfer:bad.notObject', { where: nodeWhere }));
    if (raw.parent !== null && raw.parent !== undefined && typeof raw.parent !== 'string') throw new ImportError(tr('transfer:bad.its', { where: nodeWhere, name: 'parent', what: tr('transfer:what.notNodeId') }));
    const m = raw.message;
    let keep: ImportMessage | null = null;
    if (isObject(m)) {
      const text = chatGptText(m, nodeWhere);
      if (text !== null) {
        const role = (m.author as Record<string, unknown>).role as 'user' | 'assistant';
        const meta = isObject(m.metadata) ? m.metadata : {};
        keep = {
          key: id, parentKey: null, role, content: text, thinking: null, status: 'complete', error: null,
          model: role === 'assistant' ? modelName(meta.model_slug) : null, usage: null, createdAt: readTime(m.create_time, 's') ?? created,
        };
      }
    } else if (m !== null && m !== undefined) {
      throw new ImportError(tr('transfer:bad.its', { where: nodeWhere, name: 'message', what: tr('transfer:what.notObject') }));
    }
    nodes.set(id, { parent: typeof raw.parent === 'string' ? raw.parent : null, keep });
  }
  const { messages, currentKey } = linkKept(nodes, typeof item.current_node === 'string' ? item.current_node : null);
  return {
    title: cleanImportedTitle(item.title), titleSetByUser: Boolean(cleanImportedTitle(item.title)), model: null, context: null, thinkHarder: false,
    createdAt: created, updatedAt: readTime(item.update_time, 's') ?? created, currentKey, messages,
  };
}

/** Open WebUI: `[{id, title, chat: {…}, created_at, updated_at}]` (Settings › Chats › Export), or the chat objects themselves. */
export function readOpenWebUi(item: unknown, i: number): ImportThread {
  if (!isObject(item)) throw new ImportError(tr('transfer:bad.notObject', { where: conversationName(i, null) }));
  const chat = isObject(item.chat) ? item.chat : item;
  const title = item.title ?? chat.title;
  const where = conversationName(i, title);
  const created = readTime(item.created_at, 's') ?? readTime(chat.timestamp) ?? new Date();
  const nodes = new Map<string, Node>();
  let current: string | null = null;
  const read = (id: string, raw: unknown, parent: string | null) => {
    const nodeWhere = tr('transfer:where.message', { where, id: id.slice(0, 80) });
    if (!isObject(raw)) throw new ImportError(tr('transfer:bad.notObject', { where: nodeWhere }));
    if (raw.role !== 'user' && raw.role !== 'assistant' && raw.role !== 'system') throw new ImportError(tr('transfer:bad.its', { where: nodeWhere, name: 'role', what: tr('transfer:what.notUserOrAssistant') }));
    if (typeof raw.content !== 'string') throw new ImportError(tr('transfer:bad.its', { where: nodeWhere, name: 'content', what: tr('transfer:what.notText') }));
    const keep: ImportMessage | null = raw.role === 'system' ? null : {
      key: id, parentKey: null, role: raw.role, content: raw.content, thinking: null,
      // An answer Open WebUI never finished (done: false) is kept as stopped.
      status: raw.role === 'assistant' && raw.done === false ? 'stopped' : 'complete', error: null,
      model: raw.role === 'assistant' ? modelName(raw.model) : null, usage: readUsage(raw.usage ?? (isObject(raw.info) ? raw.info.usage : null)),
      createdAt: readTime(raw.timestamp) ?? created,
    };
    nodes.set(id, { parent, keep });
  };
  if (isObject(chat.history)) {
    const msgs = chat.history.messages;
    if (!isObject(msgs)) throw new ImportError(tr('transfer:bad.field', { where, field: tr('transfer:field.named', { name: 'history.messages' }), what: tr('transfer:what.missingOrNotObject') }));
    for (const [id, raw] of Object.entries(msgs)) {
      const p = isObject(raw) ? raw.parentId : null;
      if (p !== null && p !== undefined && typeof p !== 'string') throw new ImportError(tr('transfer:bad.its', { where: tr('transfer:where.message', { where, id: id.slice(0, 80) }), name: 'parentId', what: tr('transfer:what.notMessageId') }));
      read(id, raw, typeof p === 'string' ? p : null);
    }
    current = typeof chat.history.currentId === 'string' ? chat.history.currentId : null;
  } else if (Array.isArray(chat.messages)) {
    // The oldest exports: a plain list, one line of messages.
    chat.messages.forEach((raw, j) => read(String(j + 1), raw, j ? String(j) : null));
  } else {
    throw new ImportError(tr('transfer:bad.field', { where, field: tr('transfer:field.named', { name: 'chat.history' }), what: tr('transfer:what.missing') }));
  }
  const { messages, currentKey } = linkKept(nodes, current);
  return {
    title: cleanImportedTitle(title), titleSetByUser: Boolean(cleanImportedTitle(title)), model: null, context: null, thinkHarder: false,
    createdAt: created, updatedAt: readTime(item.updated_at, 's') ?? created, currentKey, messages,
  };
}
