import { describe, expect, it } from '@jest/globals';
import { NamespaceFlattener, clientToolName } from '../../../src/protocols/openai-responses/namespace-tools.js';
import { parseResponsesRequest } from '../../../src/protocols/openai-responses/parse-responses-request.js';
import { toResponsesOutputItems } from '../../../src/protocols/openai-responses/responses-output-items.js';
import { toResponsesBody } from '../../../src/protocols/openai-responses/to-responses-body.js';

describe('NamespaceFlattener', () => {
  it('joins namespace and function with __, the same pair always to the same name', () => {
    const flattener = new NamespaceFlattener([]);
    expect(flattener.flatten('mcp__files', 'read')).toBe('mcp__files__read');
    expect(flattener.flatten('mcp__files', 'read')).toBe('mcp__files__read');
    expect(flattener.lookup('mcp__files', 'read')).toBe('mcp__files__read');
    expect(clientToolName('mcp__files__read', flattener.tools)).toEqual({ name: 'read', namespace: 'mcp__files' });
    expect(clientToolName('shell', flattener.tools)).toEqual({ name: 'shell' });
  });

  it('keeps names within 64 allowed characters and unique, with a stable hash suffix', () => {
    const taken = new NamespaceFlattener(['a__b']);
    const clash = taken.flatten('a', 'b');
    expect(clash).toMatch(/^a__b_[0-9a-f]{8}$/);
    const long = new NamespaceFlattener([]).flatten('mcp__'.padEnd(60, 'x'), 'read_the_file');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[A-Za-z0-9_-]+_[0-9a-f]{8}$/);
    expect(new NamespaceFlattener([]).flatten('mcp__'.padEnd(60, 'x'), 'read_the_file')).toBe(long);
    expect(new NamespaceFlattener([]).flatten('mcp.files', 'read')).toMatch(/^mcp_files__read_[0-9a-f]{8}$/);
    // Two pairs that would join to the same name stay apart.
    const pair = new NamespaceFlattener([]);
    expect(pair.flatten('a__b', 'c')).not.toBe(pair.flatten('a', 'b__c'));
  });
});

describe('namespace and hosted tools in a Responses request', () => {
  const body = {
    model: 'm',
    input: [
      { type: 'function_call', call_id: 'c1', name: 'read', namespace: 'mcp__files', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'ok' },
    ],
    tools: [
      { type: 'namespace', name: 'mcp__files', tools: [{ type: 'function', name: 'read', parameters: { type: 'object' } }, { type: 'custom', name: 'patch' }] },
      { type: 'web_search' },
    ],
    tool_choice: { type: 'function', name: 'read', namespace: 'mcp__files' },
    store: false,
    client_metadata: { originator: 'codex' },
  };

  it('flattens namespace members, reads calls and choices by namespace, and keeps hosted tools for a Responses upstream', () => {
    const parsed = parseResponsesRequest(body);
    expect(parsed.request.tools?.map((tool) => tool.name)).toEqual(['mcp__files__read', 'mcp__files__patch']);
    expect(parsed.customToolNames).toEqual(new Set(['mcp__files__patch']));
    expect(parsed.request.toolChoice).toEqual({ name: 'mcp__files__read' });
    expect(parsed.request.messages[0]?.content[0]).toEqual(expect.objectContaining({ type: 'tool-call', name: 'mcp__files__read' }));
    expect(parsed.request.providerOptions?.['openai-responses']?.['tools']).toEqual([{ type: 'web_search' }]);
    expect(parsed.request.protocolExtras?.fields).toEqual({ client_metadata: { originator: 'codex' } });
    expect(parsed.vendorOnlyFields).toEqual(['store', 'tools[1]']);
  });

  it('sends a Responses upstream the hosted tools as declared, after the functions', () => {
    const upstream = toResponsesBody(parseResponsesRequest(body).request, { backendName: 'openai' });
    expect(upstream.tools?.map((tool) => (tool as { type: string; name?: string }).name ?? (tool as { type: string }).type)).toEqual([
      'mcp__files__read',
      'mcp__files__patch',
      'web_search',
    ]);
    expect(upstream['client_metadata']).toEqual({ originator: 'codex' });
  });

  it('renders calls of flattened functions in the client namespace', () => {
    const parsed = parseResponsesRequest(body);
    const items = toResponsesOutputItems(
      [
        { type: 'tool-call', id: 'c2', name: 'mcp__files__read', arguments: '{"path":"a"}' },
        { type: 'tool-call', id: 'c3', name: 'mcp__files__patch', arguments: '{"input":"diff"}' },
      ],
      'completed',
      parsed.customToolNames,
      parsed.namespacedTools,
    );
    expect(items).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'read', namespace: 'mcp__files', arguments: '{"path":"a"}' }),
      expect.objectContaining({ type: 'custom_tool_call', name: 'patch', namespace: 'mcp__files', input: 'diff' }),
    ]);
  });
});
