/**
 * Compiles a flow graph into an Asterisk dialplan context `[kcc-flow-<id>]`. Pure and
 * deterministic: nodes are emitted in sorted order, each as its own extension `n_<node>`.
 *
 * Conventions shared with the inbound entry and the call-end handler (render/index.ts):
 * - `KCC_LANG` is the caller's language and `CHANNEL(language)` follows it, so `kcc/<prompt>`
 *   plays the prompt of that language;
 * - `KCC_PATH` accumulates the visited nodes and every node raises `UserEvent(KccIvr)`;
 * - `KCC_OUTCOME=ivr` marks a call completed in the IVR (message heard, callback left, sent
 *   to an external number); the call-end handler turns it into the call's outcome.
 */
import type { FlowGraph, FlowNode } from './model.js';

export const flowContext = (flowId: string) => `kcc-flow-${flowId}`;
const ext = (node: string) => `n_${node}`;
const goto = (node: string) => `Goto(${ext(node)},1)`;

export interface CompileOptions {
  /** Trunk endpoint external numbers are dialled through; null when none has an outbound URI. */
  outboundTrunk: string | null;
}

function body(id: string, node: FlowNode, opts: CompileOptions): string[] {
  switch (node.type) {
    case 'play':
      return [
        `Playback(kcc/${node.prompt})`,
        ...(node.completes ? ['Set(__KCC_OUTCOME=ivr)'] : []),
        goto(node.next),
      ];
    case 'language': {
      const lines = [`Read(KCC_DIGIT,kcc/${node.prompt},1,,1,${node.timeoutSeconds})`];
      const digits = Object.keys(node.options).sort();
      for (const d of digits)
        lines.push(`GotoIf($["\${KCC_DIGIT}"="${d}"]?lang_${node.options[d]})`);
      lines.push(`Goto(lang_${node.default})`);
      for (const lang of [...new Set([...Object.values(node.options), node.default])].sort()) {
        lines.push(`(lang_${lang})Set(__KCC_LANG=${lang})`);
        lines.push('Set(CHANNEL(language)=${KCC_LANG})');
        lines.push(
          `UserEvent(KccIvr,Node: ${id},Type: language,Language: \${KCC_LANG},Path: \${KCC_PATH})`,
        );
        lines.push(goto(node.next));
      }
      return lines;
    }
    case 'menu': {
      const lines = [
        'Set(KCC_TRY=0)',
        `(ask)Read(KCC_DIGIT,kcc/${node.prompt},1,,1,${node.timeoutSeconds})`,
      ];
      for (const d of Object.keys(node.options).sort()) {
        lines.push(`GotoIf($["\${KCC_DIGIT}"="${d}"]?${ext(node.options[d]!)},1)`);
      }
      lines.push('Set(KCC_TRY=$[${KCC_TRY} + 1])');
      lines.push(`GotoIf($[\${KCC_TRY} <= ${node.retries}]?ask)`);
      lines.push(node.onTimeout ? goto(node.onTimeout) : 'Hangup()');
      return lines;
    }
    case 'hours':
      return [
        'Gosub(kcc-hours,s,1)',
        `GotoIf($["\${KCC_OPEN}"="1"]?${ext(node.open)},1:${ext(node.closed)},1)`,
      ];
    case 'queue': {
      const queue = node.queue === 'by-language' ? '${KCC_LANG}' : node.queue;
      return [
        `Set(__KCC_QUEUE=${queue})`,
        'Gosub(kcc-queue-limits,${KCC_QUEUE},1)',
        // b(): each operator's INVITE carries the call's facts for the console (X-KCC-*).
        'Queue(${KCC_QUEUE},tb(kcc-operator-headers^s^1),,,${GOSUB_RETVAL})',
        'UserEvent(KccQueueExit,Queue: ${KCC_QUEUE},Status: ${QUEUESTATUS})',
        node.next ? goto(node.next) : 'Hangup()',
      ];
    }
    case 'transfer': {
      if (!opts.outboundTrunk) return ['Hangup(34)'];
      return [
        `Dial(PJSIP/${node.number}@${opts.outboundTrunk},60)`,
        node.next ? goto(node.next) : 'Hangup()',
      ];
    }
    case 'callback':
      return [
        `Read(KCC_DIGIT,kcc/${node.prompt},1,,2,6)`,
        'GotoIf($["${KCC_DIGIT}"="1"]?save)',
        node.next ? goto(node.next) : 'Hangup()',
        '(save)Set(__KCC_OUTCOME=ivr)',
        'Set(__KCC_CALLBACK=1)',
        'UserEvent(KccCallback,Number: ${CALLERID(num)},Language: ${KCC_LANG},Service: ${KCC_SERVICE})',
        `Playback(kcc/${node.confirmPrompt})`,
        'Hangup()',
      ];
    case 'message':
      return [`Playback(kcc/${node.prompt})`, 'Set(__KCC_OUTCOME=ivr)', 'Hangup()'];
    case 'set':
      return [`Set(__${node.name}=${node.value})`, goto(node.next)];
    case 'goto_flow':
      return [`Goto(${flowContext(node.flow)},s,1)`];
  }
}

/**
 * A transfer to an external number completes the call in the IVR once the number answers. Dial
 * hangs the caller up when an answered far end does, so the mark is set before dialling and
 * cleared on the line after Dial, which runs only when the number did not answer.
 */
function withTransferMark(lines: string[], node: FlowNode): string[] {
  if (node.type !== 'transfer' || lines[0]!.startsWith('Hangup')) return lines;
  return [
    'Set(__KCC_OUTCOME=ivr)',
    'Set(__KCC_OUTCOME_REASON=transfer)',
    lines[0]!,
    'Set(__KCC_OUTCOME=)',
    ...lines.slice(1),
  ];
}

export function compileFlow(
  flowId: string,
  version: number,
  graph: FlowGraph,
  opts: CompileOptions,
): string {
  const out = [`[${flowContext(flowId)}]`, `; Flow ${flowId}, version ${version}`];
  out.push(`exten => s,1,${goto(graph.start)}`);
  for (const id of Object.keys(graph.nodes).sort()) {
    const node = graph.nodes[id]!;
    const lines = [
      'Set(__KCC_PATH=${KCC_PATH}/' + id + ')',
      `UserEvent(KccIvr,Node: ${id},Type: ${node.type},Language: \${KCC_LANG},Path: \${KCC_PATH})`,
      ...withTransferMark(body(id, node, opts), node),
    ];
    out.push(`exten => ${ext(id)},1,${lines[0]}`);
    for (const line of lines.slice(1)) {
      const labelled = /^\((\w+)\)(.*)$/.exec(line);
      out.push(labelled ? ` same => n(${labelled[1]}),${labelled[2]}` : ` same => n,${line}`);
    }
  }
  return out.join('\n') + '\n';
}
